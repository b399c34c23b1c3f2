# the synthetic set in the CustomDataset layout (data/synthetic_cls/{train,test}/ + meta/train.txt,
# meta/test.txt), labeled split from
#   python tools/dataset_converters/make_semisup_split.py data/synthetic_cls/meta/train.txt
#       --percent P --seed 0
# Labeled samples only (Fine-Tuning / Co-Tuning), batch 12, infinite sampler.
data_preprocessor = dict(num_classes=10,
    mean=[127.5, 127.5, 127.5], std=[127.5, 127.5, 127.5], to_rgb=True)

dataset_type = 'CustomDataset'
data_root = 'data/synthetic_cls'

weak = [
    dict(type='RandomCrop', crop_size=32, padding=4, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]

train_pipeline = [dict(type='LoadImageFromFile')] + weak + [dict(type='PackInputs')]
train_dataloader = dict(
    batch_size=12,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root,
                 ann_file='meta/train_labeled_30pct_seed0.txt',
                 data_prefix='train', pipeline=train_pipeline),
    sampler=dict(type='ResumableInfiniteSampler', shuffle=True),
)
val_dataloader = dict(
    batch_size=24,
    num_workers=2,
    dataset=dict(type=dataset_type, data_root=data_root, ann_file='meta/test.txt',
                 data_prefix='test', pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
