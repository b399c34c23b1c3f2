# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): FMix (Harris et al., 2020), alpha 0.2 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='FMix', alpha=0.2)])
