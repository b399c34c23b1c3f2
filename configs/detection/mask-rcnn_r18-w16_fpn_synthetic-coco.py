# Synthetic twin of mask-rcnn_r50_fpn_1x_coco.py (CPU): same Mask R-CNN FPN recipe
# on the synthetic COCO layout (polygon masks), bbox and segm AP from CocoMetric,
# with the changes listed in _base_/synthetic_det.py. Backbone checkpoint required:
#   --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth
_base_ = ['./mask-rcnn_r50_fpn_1x_coco.py', './_base_/synthetic_det.py']

norm_cfg = _base_.syn_norm_cfg  # the real config's SyncBN, on CPU
model = dict(
    data_preprocessor=_base_.syn_preprocessor,
    backbone=_base_.syn_backbone,
    neck=_base_.syn_fpn,
    rpn_head=_base_.syn_rpn_head,
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=_base_.syn_bbox_head,
        mask_roi_extractor=dict(out_channels=64),
        mask_head=dict(in_channels=64, conv_out_channels=64,
                       num_classes=len(_base_.syn_classes))))

train_dataloader = _base_.syn_coco_train_dataloader
val_dataloader = _base_.syn_coco_val_dataloader
test_dataloader = val_dataloader
val_evaluator = _base_.syn_coco_evaluator
test_evaluator = val_evaluator

# 8 epochs over the 400 train images (100 iterations of 4), lr x10 down after 6
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[6], gamma=0.1)
]
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=2, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=4)
