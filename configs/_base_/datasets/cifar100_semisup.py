# Semi-supervised CIFAR100 (FixMatch protocol): the training set in mmpretrain's
# CustomDataset layout (data/cifar100/train/*.png + meta/train.txt "<relpath> <label>",
# data/cifar100/test + meta/test.txt), split by
#   python tools/dataset_converters/make_semisup_split.py \
#       data/cifar100/meta/train.txt --num-per-class N --seed 0
# Batches of 64 labeled + 64 * 7 unlabeled samples (mmdet's MultiSourceSampler via
# SemiSupSampler); labeled: weak view; unlabeled: weak + strong (RandAugment + Cutout).
dataset_type = 'CustomDataset'
data_root = 'data/cifar100'

data_preprocessor = dict(
    type='SemiSupDataPreprocessor',
    num_classes=100,
    # RGB statistics (mmpretrain's CIFAR100 configs); PNGs load as BGR
    mean=[129.304, 124.07, 112.434],
    std=[68.17, 65.392, 70.418],
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
    batch_size=512,
    num_workers=8,
    persistent_workers=True,
    dataset=dict(
        type='SemiSupDataset',
        labeled=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='meta/train_labeled_25pc_seed0.txt',
            data_prefix='train',
            pipeline=labeled_pipeline),
        unlabeled=dict(
            type=dataset_type,
            data_root=data_root,
            ann_file='meta/train_unlabeled_25pc_seed0.txt',
            data_prefix='train',
            with_label=False,
            pipeline=unlabeled_pipeline),
        unlabeled_branches=['weak', 'strong']),
    # 512 = 64 labeled + 64 * 7 unlabeled
    sampler=dict(type='SemiSupSampler', batch_size=512, mu=7),
)

val_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        data_prefix='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = dict(
    batch_size=128,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        data_prefix='test',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
