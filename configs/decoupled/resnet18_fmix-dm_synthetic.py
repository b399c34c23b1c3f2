# FMix (Harris et al., arXiv:2002.12047) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS 2023,
#   arXiv:2203.10761), with a narrow ResNet-18 (CIFAR stem, width 16) on the synthetic 10-class
#   32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes).
# No published DM(CE) number for this setting in ALGORITHMS.md.
_base_ = '../mixups/fmix/resnet18_fmix_synthetic.py'

# eta=0.01, mode='less', idx=0: the DM CIFAR-100 R-18 800-epoch table of ALGORITHMS.md, applied to
#   this model too: ALGORITHMS.md gives no other (see configs/decoupled/README.md); alpha=0.2 as
#   the table, inherited from the MCE config
model = dict(
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='less', idx=0.0)),
)
