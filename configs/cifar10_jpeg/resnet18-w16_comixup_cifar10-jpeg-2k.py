# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): Co-Mixup (Kim et al., ICLR 2021), alpha 2.0 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='CoMixup', alpha=2.0)])
