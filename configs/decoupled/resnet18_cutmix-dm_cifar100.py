# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS
#   2023, arXiv:2203.10761), with ResNet-18 (CIFAR stem) on CIFAR-100, 800 epochs, batch 100.
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides): MCE 78.17 -> DM(CE) 79.39
#   (a published number, not an mmmix measurement).
_base_ = '../mixups/cutmix/resnet18_cutmix_cifar100.py'

# eta=0.1, mode='less', idx=0.5: ALGORITHMS.md, DM CIFAR-100 R-18 800-epoch table; alpha=0.2 as the
#   table, inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5)),
)
