# FGVC-Aircraft in the CustomDataset layout (data/fgvc_aircraft/{train,test}/ + meta/train.txt,
# meta/test.txt), labeled split from
#   python tools/dataset_converters/make_semisup_split.py data/fgvc_aircraft/meta/train.txt
#       --percent P --seed 0
# Self-Tuning batches: labeled and unlabeled samples 1:1 (mu=1), two random
# views of each ('weak': query, 'weak2': key of the momentum encoder).
data_preprocessor = dict(type='SemiSupDataPreprocessor', num_classes=100,
    mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375], to_rgb=True)

dataset_type = 'CustomDataset'
data_root = 'data/fgvc_aircraft'

weak = [
    dict(type='RandomResizedCrop', scale=224),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=256),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]

two_views = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'weak2'],
         weak=weak + [dict(type='PackInputs')], weak2=weak + [dict(type='PackInputs')]),
]
train_dataloader = dict(
    batch_size=48,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        type='SemiSupDataset',
        labeled=dict(type=dataset_type, data_root=data_root,
                     ann_file='meta/train_labeled_15pct_seed0.txt',
                     data_prefix='train', pipeline=two_views),
        unlabeled=dict(type=dataset_type, data_root=data_root,
                       ann_file='meta/train_unlabeled_15pct_seed0.txt',
                       data_prefix='train', with_label=False, pipeline=two_views),
        labeled_branches=['weak', 'weak2'],
        unlabeled_branches=['weak', 'weak2']),
    sampler=dict(type='SemiSupSampler', batch_size=48, mu=1),
)
val_dataloader = dict(
    batch_size=48,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/test.txt',
                 data_prefix='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
