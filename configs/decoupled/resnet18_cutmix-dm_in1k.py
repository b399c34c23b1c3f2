# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS
#   2023, arXiv:2203.10761), with ResNet-18 on ImageNet-1k, 100 epochs, 8 GPUs x 32 images.
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides): MCE 68.95 -> DM(CE) 69.26
#   (a published number, not an mmmix measurement).
_base_ = '../mixups/cutmix/resnet18_cutmix_in1k.py'

# eta=0.1, mode='both', idx=1: ALGORITHMS.md, DM ImageNet R-18 setting, used for every ImageNet
#   ResNet and for CutMix too (no other ImageNet setting is given; OpenMixup uses it for R-18 and
#   R-50); alpha=0.2 inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)),
)
