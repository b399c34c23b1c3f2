#!/usr/bin/env bash
# The same through mmdet's own train script (`mim train mmdet`), the
# mmpretrain/mmselfsup benchmark way; the config's custom_imports loads mmmix:
#   bash tools/benchmarks/mmdetection/mim_train.sh CONFIG GPUS CHECKPOINT WORK_DIR [args...]
# GPUS=0 trains on the CPU in one process; GPUS>1 launches with torchrun.
set -e
DIR=$(cd "$(dirname "$0")" && pwd)
CONFIG=$1
GPUS=$2
CKPT=$3
WORK_DIR=$4
if [ -z "$WORK_DIR" ]; then
    echo "usage: $0 CONFIG GPUS CHECKPOINT WORK_DIR [mim train args...]" >&2; exit 2
fi
OPTS=$(bash "$DIR/init_options.sh" "$CONFIG" "$CKPT")
LAUNCHER=none
if [ "$GPUS" -gt 1 ]; then LAUNCHER=pytorch; fi
PYTHONPATH="$DIR/../../..":$PYTHONPATH \
mim train mmdet "$CONFIG" --launcher $LAUNCHER --gpus "$GPUS" --work-dir "$WORK_DIR" \
    --cfg-options $OPTS "${@:5}"
