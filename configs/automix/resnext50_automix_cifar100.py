# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNeXt-50 (32x4d, CIFAR stem) on
#   CIFAR-100, 800 epochs, batch 100, the reference settings (alpha 2, stage-3 features, min lr
#   0.05).
# Reference top-1 reported in the paper / seed slides (RX-50, 800 ep): 83.64 (a published number,
#   not an mmmix measurement).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar100_bs100.py',
    '../_base_/schedules/automix_cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

# stage 3 of ResNeXt-50 has 1024 channels, the last stage 2048
model = dict(
    backbone=dict(_delete_=True, type='ResNeXt_CIFAR', depth=50, num_stages=4, groups=32,
                  width_per_group=4, out_indices=(3, ), style='pytorch'),
    head=dict(in_channels=2048),
    mix_block=dict(in_channels=1024))
