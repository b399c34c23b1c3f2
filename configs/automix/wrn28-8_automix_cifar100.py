# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with Wide-ResNet-28-8 (WideResNet_CIFAR) on
#   CIFAR-100, 800 epochs, batch 100, the reference settings (alpha 2, min lr 0.05). WRN has
#   three groups (32/16/8 px); the Mix Block takes the third (0-based index 2, 8x8, 512
#   channels, after the final BN-ReLU), the resolution of ResNet-18's stage 3.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar100_bs100.py',
    '../_base_/schedules/automix_cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(_delete_=True, type='WideResNet_CIFAR', depth=28, widen_factor=8,
                  drop_rate=0., out_indices=(2, )),
    mix_block=dict(in_channels=512))
