#!/usr/bin/env bash
# Detection fine-tuning from a converted mmmix backbone on Slurm (srun):
#   GPUS=8 bash tools/benchmarks/mmdetection/slurm_train.sh PARTITION JOB_NAME CONFIG \
#       CHECKPOINT WORK_DIR [train.py args...]
# GPUS / GPUS_PER_NODE / CPUS_PER_TASK / SRUN_ARGS as tools/slurm_train.sh.
set -e
DIR=$(cd "$(dirname "$0")" && pwd)
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CKPT=$4
WORK_DIR=$5
if [ -z "$WORK_DIR" ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG CHECKPOINT WORK_DIR [train.py args...]" >&2
    exit 2
fi
OPTS=$(bash "$DIR/init_options.sh" "$CONFIG" "$CKPT")
bash "$DIR/../../slurm_train.sh" "$PARTITION" "$JOB_NAME" "$CONFIG" "$WORK_DIR" \
    --cfg-options $OPTS "${@:6}"
