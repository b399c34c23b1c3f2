# CIFAR-10 from the JPEG archive (quality-75 re-encoding of all 60,000 images), in mmpretrain's
# CustomDataset layout, batch 100 (OpenMixup's CIFAR setting). Prepare it with
#   python tools/dataset_converters/prepare_cifar10_jpeg.py
# which checks the archive's sha256 and writes
#   data/cifar10-jpeg/{train,test}/<class>/NNNN.jpg
#   data/cifar10-jpeg/meta/{classes,train,test}.txt   ("<class>/NNNN.jpg <label>" lines)
#   data/cifar10-jpeg/meta/train_500pc_seed0.txt      (the fixed 5,000-image subset)
#   data/cifar10-jpeg/meta/train_{labeled,unlabeled}_{25,400}pc_seed0.txt  (250 / 4,000 labels)
# (docs/data_preparation.md; the binary release uses `cifar10_bs100.py` instead).
dataset_type = 'CustomDataset'
data_root = 'data/cifar10-jpeg'
metainfo = dict(classes=('airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog',
                         'horse', 'ship', 'truck'))

data_preprocessor = dict(
    num_classes=10,
    # RGB statistics of the CIFAR-10 training set (mmpretrain's CIFAR-10 configs)
    mean=[125.307, 122.961, 113.8575],
    std=[51.5865, 50.847, 51.255],
    # LoadImageFromFile decodes JPEGs as BGR
    to_rgb=True)

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
    batch_size=100,
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
    batch_size=200,
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
val_evaluator = dict(type='Accuracy', topk=(1, ))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
