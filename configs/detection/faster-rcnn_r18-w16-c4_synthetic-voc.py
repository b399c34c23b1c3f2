# Synthetic twin of faster-rcnn_r50-c4_ms-24k_voc0712.py (CPU): the C4 Faster R-CNN
# on the synthetic VOC layout with the changes of _base_/synthetic_det.py. The
# shared head is mmmix's ResLayerC4 (mmdet's ResLayer at the backbone's width 16;
# mmdet's own fixes the width of a 64-channel ResNet). Both checkpoints required:
#   --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth \
#                 model.roi_head.shared_head.init_cfg.checkpoint=CONVERTED.pth
_base_ = ['./faster-rcnn_r50-c4_ms-24k_voc0712.py', './_base_/synthetic_det.py']

norm_cfg = _base_.syn_norm_cfg  # the real config's SyncBN, on CPU
model = dict(
    data_preprocessor=_base_.syn_preprocessor,
    backbone=_base_.syn_backbone,
    rpn_head=_base_.syn_rpn_head,
    roi_head=dict(
        shared_head=dict(type='mmmix.ResLayerC4', depth=18, base_channels=16,
                         norm_cfg=_base_.syn_norm_cfg),
        bbox_roi_extractor=dict(out_channels=64),
        bbox_head=dict(in_channels=128, num_classes=len(_base_.syn_classes))))

train_dataloader = _base_.syn_voc_train_dataloader
train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
val_dataloader = _base_.syn_voc_test_dataloader
test_dataloader = val_dataloader

# 1000 iterations of 4 images (8 passes over trainval), lr x10 down at 750
max_iter = 1000
train_cfg = dict(max_iters=max_iter, val_interval=250)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False, milestones=[750], gamma=0.1)
]
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=250, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=4)
