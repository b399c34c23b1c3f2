# Step 1 of the transfer demo (`make demo-transfer`, tools/demo_transfer.py): a
# narrow ResNet-18 with the ImageNet stem (7x7 stride-2 conv1 + max-pool, as
# mmdet's detectors expect; the CIFAR stem of the other synthetic configs does not
# fit them) pretrained with Mixup on the synthetic 10-class data at 64x64
# (data/synthetic_cls64: `make_synthetic.py --kind cls --img-size 64
# --out data/synthetic_cls64`, the demo writes it). The stem makes a 64 px image
# as cheap as a 16 px one with the CIFAR stem.
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synthetic_cls.py',
    '../_base_/schedules/synthetic_sgd_short.py',
    '../_base_/default_runtime.py',
]

model = dict(
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(_delete_=True, type='ResNet', depth=18, stem_channels=16, base_channels=16,
                  out_indices=(3, ), style='pytorch'))

data_root = 'data/synthetic_cls64'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomCrop', crop_size=64, padding=8),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=10, max_keep_ckpts=1))
