# ResNet-50 (ImageNet stem) fine-tuned from a LOCAL pretrained checkpoint; the
# recipe configs set `type` (FineTuning / CoTuning / SelfTuning). The file is
# read at init_weights() (mmpretrain or torchvision format, nothing is
# downloaded); point it elsewhere with
#   --cfg-options model.pretrained_backbone=/path/to/resnet50.pth
model = dict(
    type='FineTuning',
    pretrained_backbone='checkpoints/resnet50_imagenet.pth',
    pretrained_format='auto',
    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=(3, ), style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=200,
        in_channels=2048,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ))
