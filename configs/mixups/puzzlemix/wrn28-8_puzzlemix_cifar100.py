# PuzzleMix (Kim et al., ICML 2020, arXiv:2009.06962), with Wide-ResNet-28-8 (WideResNet_CIFAR) on
#   CIFAR-100, 800 epochs, batch 100 (OpenMixup's WRN table used 400 epochs, lr 0.03, wd 1e-3).
# Reference top-1 reported by OpenMixup (WRN-28-8 400 ep, median of the last 10 epochs): 85.02
#   (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not an
#   mmmix measurement).
_base_ = [
    '../../_base_/models/wrn28_8.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
# PuzzleMix options: the class defaults are the reference settings (ALGORITHMS.md: beta 1.2, gamma
#   0.5, eta 0.2, 3 labels, t_eps 0.8, transport on; block_num from (2, 4, 8, 16))
model = dict(mixers=[dict(type='PuzzleMix', alpha=1.0)])
