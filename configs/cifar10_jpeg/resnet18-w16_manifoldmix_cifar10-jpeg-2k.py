# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): ManifoldMix (Verma et al., ICML 2019), alpha 2.0 (the CIFAR setting).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='ManifoldMix', alpha=2.0)])
