# ResNet-18, ImageNet stem (7x7 stride-2 conv1 + max-pool), trained with mixup.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=1000,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
