# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): SmoothMix (Lee et al., CVPRW 2020), alpha 0.2 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='SmoothMix', alpha=0.2)])
