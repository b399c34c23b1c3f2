# Wide-ResNet-28-8 for CIFAR, trained with mixup.
#
# APPROXIMATION - read before comparing numbers with OpenMixup.
# mmpretrain 1.2.0 has no CIFAR WideResNet (its `wide-resnet50.py` is the
# ImageNet bottleneck WRN-50-2). OpenMixup's `WideResNet(depth=28,
# widen_factor=8, first_stride=1, drop_rate=0)` is a pre-activation network:
# 3x3 conv stem with 16 channels, 3 stages of 4 basic blocks with 128/256/512
# channels at 32/16/8 px. This base builds the closest network mmpretrain
# offers: ResNet_CIFAR depth 34 cut to 3 stages = 3+4+6 basic blocks (26 convs
# + stem + fc = 28 weighted layers), 16-channel stem, widths 128/256/512 at
# 32/16/8 px, no dropout. Differences: post-activation blocks and a (3, 4, 6)
# instead of (4, 4, 4) block split (32.5M backbone parameters vs 23.4M).
# Swap `backbone` once mmmix registers a WideResNet.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNet_CIFAR',
        depth=34,
        num_stages=3,
        stem_channels=16,
        base_channels=128,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(2, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
