# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): No mixing (the baseline).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=['vanilla'])
