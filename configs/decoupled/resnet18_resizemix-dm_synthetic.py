# ResizeMix (Qin et al., arXiv:2012.11101) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS 2023,
#   arXiv:2203.10761), with a narrow ResNet-18 (CIFAR stem, width 16) on the synthetic 10-class
#   32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes).
# No published DM(CE) number for this setting in ALGORITHMS.md.
_base_ = '../mixups/resizemix/resnet18_resizemix_synthetic.py'

# alpha=0.2: the DM CIFAR-100 R-18 800-epoch table of ALGORITHMS.md, applied to this model too:
#   ALGORITHMS.md gives no other (see configs/decoupled/README.md); the MCE config uses 1.0
# eta=0.1, mode='less', idx=0.5: the same table
model = dict(
    mixers=[dict(type='ResizeMix', alpha=0.2)],
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5)),
)
