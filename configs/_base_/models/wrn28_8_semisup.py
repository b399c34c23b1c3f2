# Wide-ResNet-28-8 (23.4M parameters) for semi-supervised CIFAR-100 (the FixMatch
# CIFAR-100 backbone); model as `wrn28_2_semisup.py`.
model = dict(
    type='FixMatch',
    backbone=dict(type='WideResNet_CIFAR', depth=28, widen_factor=8, drop_rate=0.,
                  out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
