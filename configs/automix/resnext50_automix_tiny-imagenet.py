# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNeXt-50 (32x4d, CIFAR stem) on
#   Tiny-ImageNet 64x64, 400 epochs, batch 100: alpha 2, stage-3 features, the Mix Block with
#   its own SGD optimizer and schedule (lr 0.1, cosine to 1e-3).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/tiny_imagenet_bs100.py',
    '../_base_/schedules/automix_tiny_sgd_cosine_400e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(_delete_=True, type='ResNeXt_CIFAR', depth=50, num_stages=4, groups=32,
                  width_per_group=4, out_indices=(3, ), style='pytorch'),
    head=dict(num_classes=200, in_channels=2048),
    mix_block=dict(in_channels=1024))
