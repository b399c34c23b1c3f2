# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) fine-tuning an ImageNet-pretrained
#   ResNeXt-50 (32x4d) on CUB-200-2011 at 224 px, 200 epochs, batch 16, the reference
#   fine-grained settings (OpenMixup `cub200/automix/`): alpha 2, stage-3 features (14x14), the
#   lambda embedding on, the mask loss gamma cosine-annealed to 0, teacher momentum to 0.99999,
#   the Mix Block with its own SGD optimizer (lr 0.01, cosine to 5e-4). The pretrained weights
#   are torchvision's (downloaded by mmengine on first use; not exercised in this repository's
#   offline tests).
_base_ = [
    '../_base_/models/automix_resnet18.py',
    '../_base_/datasets/cub200_bs16.py',
    '../_base_/schedules/automix_finegrained_sgd_cosine_200e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(_delete_=True, type='ResNeXt', depth=50, num_stages=4, groups=32,
                  width_per_group=4, out_indices=(3, ), style='pytorch',
                  init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnext50_32x4d')),
    head=dict(num_classes=200, in_channels=2048),
    mix_block=dict(in_channels=1024))
