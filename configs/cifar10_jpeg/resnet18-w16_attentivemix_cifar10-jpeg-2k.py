# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): AttentiveMix (Walawalkar et al., ICASSP 2020), alpha 2.0 (the CIFAR setting),
# guided by the model itself.
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(mixers=[dict(type='AttentiveMix', alpha=2.0)])
