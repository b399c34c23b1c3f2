# MixMatch batches on CIFAR100: as `cifar100_semisup.py`, but every unlabeled sample
# gets K = 2 weak views (branches `weak`, `weak2`) instead of a weak and a strong view.
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
labeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'weak2'],
         weak=weak + [dict(type='PackInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'weak2'],
         weak=weak + [dict(type='PackInputs')],
         weak2=weak + [dict(type='PackInputs')]),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=128,
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
        unlabeled_branches=['weak', 'weak2']),
    # MixMatch's batch: 64 labeled + 64 unlabeled samples (mu = 1)
    sampler=dict(type='SemiSupSampler', batch_size=128, mu=1),
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
