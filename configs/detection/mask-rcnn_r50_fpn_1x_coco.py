# Mask R-CNN, ResNet-50 FPN, 1x (12 epochs) on COCO 2017, bbox and segm AP: mmdet's
# stock recipe with the backbone initialised from an mmmix classification
# checkpoint converted by tools/model_converters/mmmix_to_mmdet.py and passed as
#   --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth
# (tools/train.py or `mim train mmdet`). Transfer-benchmark convention: the whole
# backbone is fine-tuned with SyncBN (frozen_stages=-1, norm_eval=False).
# Scope: mmdet; `custom_imports` loads mmmix for TransferCheckHook and the
# weights-only checkpoint allowlist. Synthetic twin: mask-rcnn_r18-w16_fpn_synthetic-coco.py.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'
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

custom_hooks = [dict(type='mmmix.TransferCheckHook')]
