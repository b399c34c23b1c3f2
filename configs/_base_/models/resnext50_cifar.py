# ResNeXt-50 (32x4d) for 32x32 inputs, trained with mixup.
#
# APPROXIMATION - read before comparing numbers with OpenMixup / AutoMix.
# OpenMixup's `ResNeXt_CIFAR` is ResNeXt with mmpretrain's ResNet_CIFAR stem
# (3x3 stride-1 conv1, no max-pool; stages at 32/16/8/4 px). mmpretrain 1.2.0
# has ResNet_CIFAR but no CIFAR ResNeXt, and ResNeXt's stem (7x7 stride-2 conv
# + max-pool, 4x downsampling) cannot be changed from a config. Until mmmix
# registers a `ResNeXt_CIFAR` backbone, this base uses mmpretrain's `ResNeXt`
# with strides (1, 1, 1, 2): stages run at 8/8/8/4 px, so stages 3 and 4 (and
# the 8x8 stage-3 features AutoMix uses) have the CIFAR resolutions while
# stages 1-2 run at 8 px instead of 32/16 px. Expect lower accuracy than the
# published RX-50 rows. Swap `type` (and drop `strides`) once ResNeXt_CIFAR exists.
# `mixers` is a placeholder: every method config replaces the whole list.
model = dict(
    type='MixupClassifier',
    mixers=[dict(type='Mixup', alpha=1.0)],
    backbone=dict(
        type='ResNeXt',
        depth=50,
        num_stages=4,
        strides=(1, 1, 1, 2),
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
