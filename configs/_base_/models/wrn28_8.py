# Wide-ResNet-28-8 for CIFAR (Zagoruyko & Komodakis, arXiv:1605.07146), trained with mixup:
# mmmix's pre-activation `WideResNet_CIFAR` (mmpretrain 1.2.0 has no CIFAR WRN): a 16-channel
# 3x3 stem, 3 groups of 4 basic blocks with 128/256/512 channels at 32/16/8 px, final BN-ReLU,
# no dropout (23.4M parameters), as in OpenMixup's WRN-28-8 benchmark.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='WideResNet_CIFAR',
        depth=28,
        widen_factor=8,
        drop_rate=0.,
        out_indices=(2, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
