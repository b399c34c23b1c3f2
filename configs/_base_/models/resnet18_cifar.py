# ResNet-18, CIFAR stem (3x3 stride-1 conv1, no max-pool), trained with mixup.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
