# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNet-18 (ImageNet stem: 7x7
# stride-2 conv1 + max-pool), the reference ImageNet settings (OpenMixup
# `configs/classification/imagenet/automix/`): as the CIFAR model base (alpha 2, the Mix Block
# on stage 3: 14x14 at 224 px, 256 channels, nearest upsampling, mask loss gamma 0.1 / eps 0.1,
# lam margin 0.08, teacher momentum 0.999 for the first 10% of the iterations), but with the
# lambda embedding on, the mask loss gamma cosine-annealed to 0 and the teacher momentum
# annealed to 0.99999 (paper convention).
_base_ = './automix_resnet18_cifar.py'

model = dict(
    backbone=dict(type='ResNet'),
    head=dict(num_classes=1000),
    mix_block=dict(lam_embed=True),
    mask_gamma_anneal=True,
    end_momentum=0.99999,
)
