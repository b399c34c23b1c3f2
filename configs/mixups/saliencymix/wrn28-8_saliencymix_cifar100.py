# SaliencyMix (Uddin et al., ICLR 2021, arXiv:2006.01791), with Wide-ResNet-28-8 (WideResNet_CIFAR) on CIFAR-100,
#   800 epochs, batch 100, SGD lr 0.1 cosine (the mmmix CIFAR recipe; OpenMixup's WRN table
#   used 400 epochs, lr 0.03, wd 1e-3).
# Reference top-1 reported by OpenMixup (WRN-28-8 400 ep, true WRN, median of the last 10 epochs):
#   84.35 (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not
#   an mmmix measurement).
_base_ = [
    '../../_base_/models/wrn28_8.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
model = dict(mixers=[dict(type='SaliencyMix', alpha=0.2)])
