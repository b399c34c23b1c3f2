# The narrow (width-16) CIFAR ResNet-18 of the synthetic recipes, as a FixMatch
# model (see `wrn28_2_semisup.py`).
model = dict(
    type='FixMatch',
    backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16,
                  out_indices=(3, )),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=10,
        in_channels=128,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, ),
    ))
