# SmoothMix (Lee et al., CVPR Workshops 2020), with ResNeXt-50 (32x4d) on CIFAR-100, 800 epochs,
#   batch 100 (the backbone approximates OpenMixup's ResNeXt_CIFAR: see the model base).
# Reference top-1 reported by OpenMixup (RX-50 800 ep, true CIFAR stem, median of the last 10
#   epochs): 78.95 (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published
#   number, not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnext50_cifar.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
model = dict(mixers=[dict(type='SmoothMix', alpha=0.2)])
