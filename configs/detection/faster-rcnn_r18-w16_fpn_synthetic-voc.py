# Synthetic twin of faster-rcnn_r50_fpn_1x_voc0712.py (CPU): same Faster R-CNN FPN
# recipe on the synthetic VOC layout, with the changes listed in
# _base_/synthetic_det.py (128 px, narrow ResNet-18, BN, short schedule).
# The backbone checkpoint is required, as in the real config:
#   python tools/train.py configs/detection/faster-rcnn_r18-w16_fpn_synthetic-voc.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth
# (`make demo-transfer` pretrains one, converts it and runs this config).
_base_ = ['./faster-rcnn_r50_fpn_1x_voc0712.py', './_base_/synthetic_det.py']

norm_cfg = _base_.syn_norm_cfg  # the real config's SyncBN, on CPU
model = dict(
    data_preprocessor=_base_.syn_preprocessor,
    backbone=_base_.syn_backbone,
    neck=_base_.syn_fpn,
    rpn_head=_base_.syn_rpn_head,
    roi_head=dict(bbox_roi_extractor=dict(out_channels=64), bbox_head=_base_.syn_bbox_head))

train_dataloader = _base_.syn_voc_train_dataloader
val_dataloader = _base_.syn_voc_test_dataloader
test_dataloader = val_dataloader

# 8 epochs over the 500 trainval images (125 iterations of 4), lr x10 down after 6
max_epochs = 8
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[6], gamma=0.1)
]
optim_wrapper = dict(optimizer=dict(lr=0.02))
default_hooks = dict(logger=dict(interval=25), checkpoint=dict(interval=2, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=4)
