# MixMatch batches on the synthetic data: as `synthetic_semisup.py`, but every
# unlabeled sample gets K = 2 weak views (branches `weak`, `weak2`) for label
# guessing instead of a weak and a strong view.
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
        unlabeled_branches=['weak', 'weak2']),
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
