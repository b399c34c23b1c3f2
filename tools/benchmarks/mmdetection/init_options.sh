#!/usr/bin/env bash
# Prints the --cfg-options that point a configs/detection config at a converted
# backbone (tools/model_converters/mmmix_to_mmdet.py output):
#   bash init_options.sh CONFIG CHECKPOINT
# * Faster/Mask R-CNN:  model.backbone.init_cfg.checkpoint
# * C4 configs (-c4):   ... and model.roi_head.shared_head.init_cfg.checkpoint (layer4)
# * SoftTeacher:        model.detector.backbone.init_cfg.checkpoint
set -e
CONFIG=$1
CKPT=$2
if [ -z "$CONFIG" ] || [ -z "$CKPT" ]; then
    echo "usage: $0 CONFIG CHECKPOINT" >&2; exit 2
fi
if [ ! -f "$CKPT" ]; then
    echo "checkpoint $CKPT does not exist (convert one with tools/model_converters/mmmix_to_mmdet.py)" >&2
    exit 2
fi
name=$(basename "$CONFIG")
case "$name" in
    soft-teacher*) echo "model.detector.backbone.init_cfg.checkpoint=$CKPT" ;;
    *-c4*) echo "model.backbone.init_cfg.checkpoint=$CKPT model.roi_head.shared_head.init_cfg.checkpoint=$CKPT" ;;
    *) echo "model.backbone.init_cfg.checkpoint=$CKPT" ;;
esac
