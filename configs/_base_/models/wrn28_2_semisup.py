# Wide-ResNet-28-2 (1.5M parameters) for semi-supervised CIFAR-10, the FixMatch /
# MixMatch backbone: mmmix's pre-activation `WideResNet_CIFAR`, stage widths 32/64/128.
# The model is FixMatch with its defaults (tau=0.95, lambda_u=1, no teacher); the
# +Mixup / +DM and MixMatch configs add or switch what differs.
model = dict(
    type='FixMatch',
    backbone=dict(type='WideResNet_CIFAR', depth=28, widen_factor=2, drop_rate=0.,
                  out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
