# Shared settings of the synthetic-data twins of the detection configs (CPU).
# Data: `python tools/dataset_converters/make_synthetic.py --kind det` (or the
# transfer demo) writes data/synthetic_det/ with 400 train / 100 val / 100 test
# 64x64 images of 1-4 shapes named after the first 5 Pascal VOC classes, in the
# VOC layout (VOCdevkit/VOC2007) read by mmdet's VOCDataset, the COCO layout
# (coco/annotations/instances_{train,val,test}.json, polygons) read by
# CocoDataset, and partial-label COCO splits (coco/semi_anns/, mmdet's
# split_coco.py names, fold 1 at 1/5/10 %).
# Twins differ from their real configs only in what a CPU needs:
# * images resized to 128 px (objects of about 20-50 px; the stock anchors fit);
# * a narrow ImageNet-stem ResNet-18 (stages of 16/32/64/128 channels, the
#   backbone the transfer demo pretrains) with plain BN instead of SyncBN, and
#   the neck/heads narrowed to 64 channels to match;
# * the synthetic classification data's normalisation ([0, 255] -> [-1, 1], RGB),
#   so a backbone pretrained on it sees the same inputs;
# * schedules of a few epochs, single-process data loading.
# Names start with `syn_` so this file can be a second `_base_` of a real config.
syn_data_root = 'data/synthetic_det/'
syn_classes = ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle')
syn_scale = (128, 128)
syn_norm_cfg = dict(type='BN', requires_grad=True)
syn_preprocessor = dict(
    type='DetDataPreprocessor', mean=[127.5, 127.5, 127.5], std=[127.5, 127.5, 127.5],
    bgr_to_rgb=True, pad_size_divisor=32)
# merged into the real config's ResNet-50 (init_cfg stays: the checkpoint is required)
syn_backbone = dict(depth=18, stem_channels=16, base_channels=16, norm_cfg=syn_norm_cfg)
syn_fpn = dict(in_channels=[16, 32, 64, 128], out_channels=64)
syn_rpn_head = dict(in_channels=64, feat_channels=64)
syn_bbox_head = dict(in_channels=64, fc_out_channels=256, num_classes=len(syn_classes))

syn_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=syn_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
syn_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=syn_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
syn_instance_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=syn_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
syn_instance_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=syn_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

# VOC layout: train on trainval (500 images), evaluate on test (100 images);
# boxes are 10-26 px in the 64 px originals, so the VOC recipe's 32 px
# `bbox_min_size` filter (made for 500 px photographs) is lowered
syn_voc_train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='VOCDataset',
        data_root=syn_data_root + 'VOCdevkit/',
        metainfo=dict(classes=syn_classes),
        ann_file='VOC2007/ImageSets/Main/trainval.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8, bbox_min_size=2),
        pipeline=syn_train_pipeline))
syn_voc_test_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VOCDataset',
        data_root=syn_data_root + 'VOCdevkit/',
        metainfo=dict(classes=syn_classes),
        ann_file='VOC2007/ImageSets/Main/test.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        test_mode=True,
        pipeline=syn_test_pipeline))

# COCO layout: train on train (400 images), evaluate on val (100 images)
syn_coco_train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    batch_sampler=dict(type='AspectRatioBatchSampler'),
    dataset=dict(
        type='CocoDataset',
        data_root=syn_data_root + 'coco/',
        metainfo=dict(classes=syn_classes),
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=8),
        pipeline=syn_instance_train_pipeline))
syn_coco_val_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CocoDataset',
        data_root=syn_data_root + 'coco/',
        metainfo=dict(classes=syn_classes),
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        pipeline=syn_instance_test_pipeline))
syn_coco_evaluator = dict(
    _delete_=True,
    type='CocoMetric',
    ann_file=syn_data_root + 'coco/annotations/instances_val.json',
    metric=['bbox', 'segm'],
    format_only=False)

# a fixed seed: the CPU runs of the twins (and the transfer demo) repeat
randomness = dict(seed=0, deterministic=False)
