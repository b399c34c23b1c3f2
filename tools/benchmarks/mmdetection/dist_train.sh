#!/usr/bin/env bash
# Detection fine-tuning from a converted mmmix backbone with torchrun (NCCL on
# GPUs, gloo on CPU):
#   bash tools/benchmarks/mmdetection/dist_train.sh CONFIG NPROC CHECKPOINT WORK_DIR [args...]
# NNODES / NODE_RANK / PORT / MASTER_ADDR as tools/dist_train.sh.
set -e
DIR=$(cd "$(dirname "$0")" && pwd)
CONFIG=$1
NPROC=$2
CKPT=$3
WORK_DIR=$4
if [ -z "$WORK_DIR" ]; then
    echo "usage: $0 CONFIG NPROC CHECKPOINT WORK_DIR [train.py args...]" >&2; exit 2
fi
OPTS=$(bash "$DIR/init_options.sh" "$CONFIG" "$CKPT")
bash "$DIR/../../dist_train.sh" "$CONFIG" "$NPROC" --work-dir "$WORK_DIR" \
    --cfg-options $OPTS "${@:5}"
