# PuzzleMix (Kim et al., ICML 2020, arXiv:2009.06962), with a narrow ResNet-18 (CIFAR stem, width
#   16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes).
_base_ = [
    '../../_base_/models/resnet18-w16_cifar.py',
    '../../_base_/datasets/synthetic_cls.py',
    '../../_base_/schedules/synthetic_sgd_short.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: the CIFAR-100 value (same 32x32 size): OpenMixup CIFAR-100 benchmark
#   (configs/classification/cifar100/README.md)
# PuzzleMix options: the class defaults are the reference settings (ALGORITHMS.md: beta 1.2, gamma
#   0.5, eta 0.2, 3 labels, t_eps 0.8, transport on; block_num from (2, 4, 8, 16))
model = dict(mixers=[dict(type='PuzzleMix', alpha=1.0)])
