# The narrow (width-16) CIFAR ResNet-18 of the synthetic fine-tuning twins.
# `pretrained_backbone` is None (random init); give a local checkpoint with
#   --cfg-options model.pretrained_backbone=/path/to/ckpt.pth
model = dict(
    type='FineTuning',
    pretrained_backbone=None,
    pretrained_format='auto',
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16,
                  out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, ),
    ))
