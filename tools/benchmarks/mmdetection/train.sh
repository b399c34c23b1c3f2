#!/usr/bin/env bash
# Detection fine-tuning from a converted mmmix backbone, one process (CPU or one GPU):
#   bash tools/benchmarks/mmdetection/train.sh CONFIG CHECKPOINT WORK_DIR [train.py args...]
# e.g.
#   bash tools/benchmarks/mmdetection/train.sh \
#       configs/detection/faster-rcnn_r18-w16_fpn_synthetic-voc.py \
#       work_dirs/demo_transfer/backbone_mmdet.pth work_dirs/det_fpn
set -e
DIR=$(cd "$(dirname "$0")" && pwd)
CONFIG=$1
CKPT=$2
WORK_DIR=$3
if [ -z "$WORK_DIR" ]; then
    echo "usage: $0 CONFIG CHECKPOINT WORK_DIR [train.py args...]" >&2; exit 2
fi
OPTS=$(bash "$DIR/init_options.sh" "$CONFIG" "$CKPT")
PYTHON=${PYTHON:-python}
PYTHONPATH="$DIR/../../..":$PYTHONPATH \
$PYTHON "$DIR/../../train.py" "$CONFIG" --work-dir "$WORK_DIR" --cfg-options $OPTS "${@:4}"
