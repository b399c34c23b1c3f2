# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with a narrow ResNet-18 (CIFAR stem, width
#   16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes):
#   the CIFAR settings (alpha 2, stage-3 features: 8x8, 64 channels), the Mix Block as a
#   parameter group of the one SGD optimizer. Short-schedule changes to the base: a faster
#   teacher, the lam embedding and a larger Mix Block init (see below).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/synthetic_cls.py',
    '../_base_/schedules/automix_synthetic_sgd_short.py',
    '../_base_/default_runtime.py',
]

model = dict(
    # the narrow ResNet-18 of `resnet18-w16_cifar.py` (base width 16)
    backbone=dict(_delete_=True, type='ResNet_CIFAR', depth=18, num_stages=4, stem_channels=16,
                  base_channels=16, out_indices=(3, ), style='pytorch'),
    head=dict(num_classes=10, in_channels=128, topk=(1, )),
    # lam embedding on (the paper's ImageNet setting): without it the mask is a function of the
    # features only, so its mean cannot follow the requested lam; init std 0.1 instead of 0.01:
    # at 0.01 the attention stays uniform (m = mean of v, spatially flat) for the whole short run;
    # lam_anchor (an mmmix option): the mask's log-odds are centred on lam, so its mean cannot
    # drift into the saturated all-x / all-partner state that the free mask fell into on this data
    # (docs/automix.md, "Mask collapse")
    mix_block=dict(in_channels=64, lam_embed=True, init_std=0.1, lam_anchor=True),
    # short-schedule choice (~1900 iterations at 30 epochs): teacher momentum 0.99 (follows the
    # student within ~100 iterations) for the first 10%, then cosine to 0.999; with the paper's
    # 0.999 -> 0.999999 (kept by the CIFAR/ImageNet configs) the teacher barely leaves its random
    # init in a few hundred iterations and the Mix Block's masks stay flat
    momentum=0.99,
    end_momentum=0.999)

# a short run: log every 10 iterations
default_hooks = dict(logger=dict(interval=10))
