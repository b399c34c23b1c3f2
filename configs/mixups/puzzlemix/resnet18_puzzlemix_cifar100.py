# PuzzleMix (Kim et al., ICML 2020, arXiv:2009.06962), with ResNet-18 (CIFAR stem) on CIFAR-100,
#   800 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 800 ep, median of the last 10 epochs): 81.13
#   (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not an
#   mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
# PuzzleMix options: the class defaults are the reference settings (ALGORITHMS.md: beta 1.2, gamma
#   0.5, eta 0.2, 3 labels, t_eps 0.8, transport on; block_num from (2, 4, 8, 16))
model = dict(mixers=[dict(type='PuzzleMix', alpha=1.0)])
