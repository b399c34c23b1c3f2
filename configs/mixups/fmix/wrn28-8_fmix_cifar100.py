# FMix (Harris et al., arXiv:2002.12047), with Wide-ResNet-28-8 on CIFAR-100, 400 epochs, batch 100
#   (the backbone approximates WRN-28-8 with mmpretrain parts: see the model base).
# Reference top-1 reported by OpenMixup (WRN-28-8 400 ep, true WRN, median of the last 10 epochs):
#   84.21 (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not
#   an mmmix measurement).
_base_ = [
    '../../_base_/models/wrn28_8.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_wrn_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
model = dict(mixers=[dict(type='FMix', alpha=0.2)])
