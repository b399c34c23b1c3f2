# SaliencyMix (Uddin et al., ICLR 2021, arXiv:2006.01791) + Decoupled Mixup DM(CE) (Liu et al.,
#   NeurIPS 2023, arXiv:2203.10761), with ResNet-18 (CIFAR stem) on CIFAR-100, 800 epochs, batch
#   100.
# No published DM(CE) number for this setting in ALGORITHMS.md.
_base_ = '../mixups/saliencymix/resnet18_saliencymix_cifar100.py'

# eta=0.01, mode='less', idx=0: ALGORITHMS.md, DM CIFAR-100 R-18 800-epoch table; alpha=0.2 as the
#   table, inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='less', idx=0.0)),
)
