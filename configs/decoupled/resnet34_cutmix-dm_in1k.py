# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS
#   2023, arXiv:2203.10761), with ResNet-34 on ImageNet-1k, 100 epochs, 8 GPUs x 32 images.
# ResNet-34: the ResNet-18 config with depth 34 (basic blocks with 512 output channels like
#   ResNet-18, so the head keeps in_channels=512).
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides): MCE 73.58 -> DM(CE) 73.88
#   (a published number, not an mmmix measurement).
_base_ = '../mixups/cutmix/resnet18_cutmix_in1k.py'

# alpha=1.0: as the MCE baseline it is compared with (OpenMixup PyTorch-style ImageNet benchmark,
#   docs/en/model_zoos/Mixup_sup.md; its alpha-0.2 note is for R-18 only); the inherited R-18
#   config uses 0.2
# eta=0.1, mode='both', idx=1: ALGORITHMS.md, DM ImageNet R-18 setting, used for every ImageNet
#   ResNet and for CutMix too (no other ImageNet setting is given; OpenMixup uses it for R-18 and
#
model = dict(
    mixers=[dict(type='CutMix', alpha=1.0)],
    backbone=dict(depth=34),
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)),
)
