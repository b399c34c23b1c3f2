# Tiny-ImageNet (200 classes, 64x64), batch 100 per GPU, following OpenMixup's
# Tiny-ImageNet benchmark: RandomResizedCrop 64 + flip for training, the plain
# 64x64 image (no center crop) for testing. mmpretrain has no Tiny-ImageNet
# dataset type: CustomDataset with annotation files, laid out as
#   data/tiny-imagenet/{train,val}/...                 images
#   data/tiny-imagenet/meta/{train,val}.txt            lines "<relpath> <label>"
dataset_type = 'CustomDataset'
data_root = 'data/tiny-imagenet'

data_preprocessor = dict(
    num_classes=200,
    # ImageNet statistics, as OpenMixup
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    # convert image from BGR to RGB
    to_rgb=True,
)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=100,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/train.txt',
        data_prefix='train',
        pipeline=train_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=True),
)

val_dataloader = dict(
    batch_size=100,
    num_workers=4,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='meta/val.txt',
        data_prefix='val',
        pipeline=test_pipeline),
    sampler=dict(type='DefaultSampler', shuffle=False),
)
val_evaluator = dict(type='Accuracy', topk=(1, 5))

test_dataloader = val_dataloader
test_evaluator = val_evaluator
