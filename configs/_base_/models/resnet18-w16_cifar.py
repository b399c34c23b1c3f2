# A narrow ResNet-18 (CIFAR stem, base width 16 instead of 64: stages of
# 16/32/64/128 channels, ~0.7M parameters, ~16x fewer FLOPs) for the synthetic
# 10-class data: trains a few epochs on 32x32 images on a CPU in minutes.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        stem_channels=16,
        base_channels=16,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, ),
    ))
