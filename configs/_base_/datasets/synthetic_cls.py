# Synthetic 10-class classification data (32x32 RGB PNGs) for CPU smoke runs,
# in mmpretrain's CustomDataset layout:
#   data/synthetic_cls/{train,val,test}/*.png
#   data/synthetic_cls/meta/{train,val,test}.txt   lines "<relpath> <label>",
#       relpath relative to the split folder (the data_prefix)
#   data/synthetic_cls/meta/classes.txt            one class name per line
# written by `mmmix.datasets.generate_classification` (tools/demo.py calls it).
dataset_type = 'CustomDataset'
data_root = 'data/synthetic_cls'
# the names in meta/classes.txt (`mmmix.datasets.synthetic.classification_classes(10)`),
# given inline so that the config follows a `data_root` override
metainfo = dict(classes=('disc', 'square', 'triangle', 'ring', 'cross', 'star', 'hexagon',
                         'bars', 'ellipse', 'diamond'))

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
        metainfo=metainfo,
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
        metainfo=metainfo,
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
        metainfo=metainfo,
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
test_evaluator = val_evaluator
