# Semi-supervised batches on the synthetic data (data/synthetic_cls, 10 classes,
# 32x32): the labeled / unlabeled annotation files come from
#   python tools/dataset_converters/make_semisup_split.py \
#       data/synthetic_cls/meta/train.txt --num-per-class 4 --seed 0
# Every batch holds 8 labeled and 8 * mu = 56 unlabeled samples (mmdet's
# MultiSourceSampler through mmmix's SemiSupSampler; infinite, so training is
# iteration-based). Views come from mmdet's MultiBranch: labeled samples get
# the weak view; unlabeled samples the weak and the strong view
# (weak + mmpretrain's RandAugment + Cutout, as FixMatch).
dataset_type = 'CustomDataset'
data_root = 'data/synthetic_cls'
metainfo = dict(classes=('disc', 'square', 'triangle', 'ring', 'cross', 'star', 'hexagon',
                         'bars', 'ellipse', 'diamond'))

data_preprocessor = dict(
    type='SemiSupDataPreprocessor',
    num_classes=10,
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    to_rgb=True,
)

weak = [
    dict(type='RandomCrop', crop_size=32, padding=4, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
strong = weak + [
    # FixMatch's RandAugment: 2 random operations at a random magnitude
    dict(type='RandAugment', policies='timm_increasing', num_policies=2, total_level=10,
         magnitude_level=10, magnitude_std='inf', hparams=dict(pad_val=128)),
    dict(type='Cutout', shape=16, pad_val=128, prob=1.0),
]
labeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'strong'],
         weak=weak + [dict(type='PackInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'strong'],
         weak=weak + [dict(type='PackInputs')],
         strong=strong + [dict(type='PackInputs')]),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type='SemiSupDataset',
        labeled=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='meta/train_labeled_4pc_seed0.txt',
            data_prefix='train',
            metainfo=metainfo,
            pipeline=labeled_pipeline),
        unlabeled=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='meta/train_unlabeled_4pc_seed0.txt',
            data_prefix='train',
            with_label=False,
            metainfo=metainfo,
            pipeline=unlabeled_pipeline),
        unlabeled_branches=['weak', 'strong']),
    # 64 = 8 labeled + 8 * 7 unlabeled
    sampler=dict(type='SemiSupSampler', batch_size=64, mu=7),
)

val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        data_prefix='val',
        metainfo=metainfo,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        data_prefix='test',
        metainfo=metainfo,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
