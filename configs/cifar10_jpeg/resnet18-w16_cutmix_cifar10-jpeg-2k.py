# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): CutMix (Yun et al., ICCV 2019), alpha 0.2 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='CutMix', alpha=0.2)])
