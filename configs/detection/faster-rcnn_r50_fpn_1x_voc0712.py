# Faster R-CNN, ResNet-50 FPN, 1x (12 epochs: 4 over VOC07+12 trainval repeated 3x),
# evaluated on VOC2007 test (11-point mAP): mmdet's stock recipe with the backbone
# initialised from an mmmix classification checkpoint converted by
#   python tools/model_converters/mmmix_to_mmdet.py CKPT work_dirs/r50_backbone.pth
# and passed in the mmpretrain/mmdet benchmark way:
#   python tools/train.py configs/detection/faster-rcnn_r50_fpn_1x_voc0712.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=work_dirs/r50_backbone.pth
#   mim train mmdet configs/detection/faster-rcnn_r50_fpn_1x_voc0712.py --cfg-options ...
# Transfer-benchmark convention: the whole backbone is fine-tuned (frozen_stages=-1)
# with SyncBN statistics updated (norm_eval=False), so pretraining methods are
# compared on the same footing. Scope: mmdet (`default_scope` of the mmdet base);
# `custom_imports` loads mmmix for its hooks and the weights-only checkpoint
# allowlist. The synthetic twin (CPU) is faster-rcnn_r18-w16_fpn_synthetic-voc.py.
_base_ = 'mmdet::pascal_voc/faster-rcnn_r50_fpn_1x_voc0712.py'
custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)
# a crash while saving keeps the previous checkpoint (mmdet's CheckpointHook deletes the
# oldest one first)
default_hooks = dict(checkpoint=dict(type='mmmix.AtomicCheckpointHook'))

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        # required: --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth
        init_cfg=dict(type='Pretrained', checkpoint=None)))

# refuses to start without a checkpoint (or with one that does not fit the
# backbone) instead of mmengine's silent random init / warning-only partial load
custom_hooks = [dict(type='mmmix.TransferCheckHook')]
