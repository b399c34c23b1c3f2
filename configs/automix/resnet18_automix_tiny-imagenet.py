# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNet-18 (CIFAR stem, as OpenMixup) on
#   Tiny-ImageNet 64x64, 400 epochs, batch 100: alpha 2, stage-3 features (16x16), the Mix Block
#   with its own SGD optimizer and schedule (lr 0.1, cosine to 1e-3).
# Reference top-1 reported in the paper / seed slides (R-18, 400 ep): 67.33 (a published number,
#   not an mmmix measurement).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/tiny_imagenet_bs100.py',
    '../_base_/schedules/automix_tiny_sgd_cosine_400e.py',
    '../_base_/default_runtime.py',
]

model = dict(head=dict(num_classes=200))
