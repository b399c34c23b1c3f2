# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): Mixup (Zhang et al., ICLR 2018), alpha 1.0 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='Mixup', alpha=1.0)])
