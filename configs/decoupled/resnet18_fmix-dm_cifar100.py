# FMix (Harris et al., arXiv:2002.12047) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS 2023,
#   arXiv:2203.10761), with ResNet-18 (CIFAR stem) on CIFAR-100, 800 epochs, batch 100.
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides): MCE 79.69 -> DM(CE) 80.12
#   (a published number, not an mmmix measurement).
_base_ = '../mixups/fmix/resnet18_fmix_cifar100.py'

# eta=0.01, mode='less', idx=0: ALGORITHMS.md, DM CIFAR-100 R-18 800-epoch table; alpha=0.2 as the
#   table, inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='less', idx=0.0)),
)
