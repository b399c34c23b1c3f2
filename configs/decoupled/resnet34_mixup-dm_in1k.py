# Mixup (Zhang et al., ICLR 2018, arXiv:1710.09412) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS
#   2023, arXiv:2203.10761), with ResNet-34 on ImageNet-1k, 100 epochs, 8 GPUs x 32 images.
# ResNet-34: the ResNet-18 config with depth 34 (basic blocks with 512 output channels like
#   ResNet-18, so the head keeps in_channels=512).
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides): MCE 73.97 -> DM(CE) 74.26
#   (a published number, not an mmmix measurement).
_base_ = '../mixups/mixup/resnet18_mixup_in1k.py'

# eta=0.1, mode='both', idx=1: ALGORITHMS.md, DM ImageNet R-18 setting, used for every ImageNet
#   ResNet and for CutMix too (no other ImageNet setting is given; OpenMixup uses it for R-18 and
#   R-50); alpha=1.0 inherited from the MCE config
model = dict(
    backbone=dict(depth=34),
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)),
)
