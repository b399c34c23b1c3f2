# Faster R-CNN, ResNet-50 C4, multi-scale training, 24k iterations (batch 16) on
# VOC07+12 trainval, VOC2007 test mAP: the detection protocol of the
# self-supervised / pretraining transfer benchmarks (MoCo, mmselfsup), built on
# mmdet's C4 VOC recipe with a pytorch-style ResNet-50 instead of the caffe one.
# C4: the backbone's first three stages feed the RPN, and its fourth stage
# (layer4) is the RoI head's shared head, so BOTH take the converted checkpoint:
#   python tools/train.py configs/detection/faster-rcnn_r50-c4_ms-24k_voc0712.py \
#       --cfg-options model.backbone.init_cfg.checkpoint=CONVERTED.pth \
#                     model.roi_head.shared_head.init_cfg.checkpoint=CONVERTED.pth
# (tools/benchmarks/mmdetection/*_c4.sh pass both). The shared head reads only the
# checkpoint's layer4.* keys. Whole network fine-tuned with SyncBN.
# Scope: mmdet; `custom_imports` loads mmmix. Twin: faster-rcnn_r18-w16-c4_synthetic-voc.py.
_base_ = 'mmdet::pascal_voc/faster-rcnn_r50-caffe-c4_ms-18k_voc0712.py'
custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)

norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    # pytorch-style (torchvision / mmpretrain) weights expect RGB, ImageNet mean/std
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    backbone=dict(
        style='pytorch',
        frozen_stages=-1,
        norm_cfg=norm_cfg,
        norm_eval=False,
        init_cfg=dict(type='Pretrained', checkpoint=None)),
    roi_head=dict(
        shared_head=dict(
            style='pytorch',
            norm_cfg=norm_cfg,
            norm_eval=False,
            init_cfg=dict(type='Pretrained', checkpoint=None))))

# 24k iterations, lr steps at 18k and 22k (the benchmark schedule)
max_iter = 24000
train_cfg = dict(max_iters=max_iter, val_interval=4000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=100),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False, milestones=[18000, 22000],
         gamma=0.1)
]
# a crash while saving keeps the previous checkpoint (mmdet's CheckpointHook deletes the
# oldest one first)
default_hooks = dict(checkpoint=dict(type='mmmix.AtomicCheckpointHook', by_epoch=False,
                                     interval=4000, max_keep_ckpts=2))

custom_hooks = [dict(type='mmmix.TransferCheckHook')]
