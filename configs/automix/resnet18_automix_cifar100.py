# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNet-18 (CIFAR stem) on CIFAR-100, 800
#   epochs, batch 100, the reference settings (alpha 2, stage-3 features, min lr 0.05).
# Reference top-1 reported in the paper / seed slides (R-18, 800 ep): 82.04 (a published number,
#   not an mmmix measurement).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar100_bs100.py',
    '../_base_/schedules/automix_cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]
