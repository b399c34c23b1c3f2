# ManifoldMix (Verma et al., ICML 2019, arXiv:1806.05236) + Decoupled Mixup DM(CE) (Liu et al.,
#   NeurIPS 2023, arXiv:2203.10761), with a narrow ResNet-18 (CIFAR stem, width 16) on the
#   synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes).
# No published DM(CE) number for this setting in ALGORITHMS.md.
_base_ = '../mixups/manifoldmix/resnet18_manifoldmix_synthetic.py'

# alpha=0.5: ALGORITHMS.md, DM CIFAR-100 R-18 800-epoch table (ManifoldMix row), applied to every
#   CIFAR-size model as the other DM configs do; the MCE config uses OpenMixup's alpha
# eta=0.01, mode='more', idx=0: the same table
model = dict(
    mixers=[dict(type='ManifoldMix', alpha=0.5)],
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='more', idx=0.0)),
)
