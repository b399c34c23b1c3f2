# SaliencyMix (Uddin et al., ICLR 2021, arXiv:2006.01791) + Decoupled Mixup DM(CE) (Liu et al.,
#   NeurIPS 2023, arXiv:2203.10761), with ResNeXt-50 (32x4d, ResNeXt_CIFAR) on CIFAR-100, 800
#   epochs, batch 100.
# No published DM(CE) number for this setting in ALGORITHMS.md.
_base_ = '../mixups/saliencymix/resnext50_saliencymix_cifar100.py'

# eta=0.01, mode='less', idx=0: the DM CIFAR-100 R-18 800-epoch table of ALGORITHMS.md, applied to
#   this model too: ALGORITHMS.md gives no other (see configs/decoupled/README.md); alpha=0.2 as
#   the table, inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='less', idx=0.0)),
)
