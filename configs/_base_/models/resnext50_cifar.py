# ResNeXt-50 (32x4d) for 32x32 inputs, trained with mixup: mmmix's `ResNeXt_CIFAR`
# (mmpretrain's ResNeXt blocks on the ResNet_CIFAR stem: 3x3 stride-1 conv1, no max-pool;
# stages at 32/16/8/4 px), as OpenMixup's CIFAR ResNeXt-50.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNeXt_CIFAR',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        groups=32,
        width_per_group=4,
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=100,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
