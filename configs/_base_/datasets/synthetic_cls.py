# Synthetic 10-class classification data (32x32 RGB PNGs) for CPU smoke runs,
# in mmpretrain's CustomDataset layout:
#   data/synthetic_cls/{train,val,test}/*.png
#   data/synthetic_cls/meta/{train,val,test}.txt   lines "<relpath> <label>",
#       relpath relative to the split folder (the data_prefix)
#   data/synthetic_cls/meta/classes.txt            one class name per line
dataset_type = 'CustomDataset'
data_root = 'data/synthetic_cls'

data_preprocessor = dict(
    num_classes=10,
    # the synthetic images have no measured statistics: map [0, 255] to [-1, 1]
    mean=[127.5, 127.5, 127.5],
    std=[127.5, 127.5, 127.5],
    # PNGs are loaded as BGR
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=32, padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='train',
        # BaseDataset reads `classes` relative to the working directory
        classes=data_root + '/meta/classes.txt',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        data_prefix='val',
        classes=data_root + '/meta/classes.txt',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/test.txt',
        data_prefix='test',
        classes=data_root + '/meta/classes.txt',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
