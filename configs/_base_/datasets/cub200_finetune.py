# CUB-200-2011 in the CustomDataset layout (data/cub200/{train,test}/ + meta/train.txt,
# meta/test.txt), labeled split from
#   python tools/dataset_converters/make_semisup_split.py data/cub200/meta/train.txt
#       --percent P --seed 0
# Labeled samples only (Fine-Tuning / Co-Tuning), batch 24, infinite sampler.
data_preprocessor = dict(num_classes=200,
    mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], to_rgb=True)

dataset_type = 'CustomDataset'
data_root = 'data/cub200'

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

train_pipeline = [dict(type='LoadImageFromFile')] + weak + [dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=24,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='meta/train_labeled_15pct_seed0.txt',
                 data_prefix='train', pipeline=train_pipeline),
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
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
