# AttentiveMix (Walawalkar et al., ICASSP 2020, arXiv:2003.13048), with Wide-ResNet-28-8
#   (WideResNet_CIFAR) on CIFAR-100, 800 epochs, batch 100 (OpenMixup's WRN table used 400 epochs,
#   lr 0.03, wd 1e-3).
# Reference top-1 reported by OpenMixup (WRN-28-8 400 ep, median of the last 10 epochs): 84.34
#   (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not an
#   mmmix measurement).
_base_ = [
    '../../_base_/models/wrn28_8.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
# guide: the classifier's default dict(type='self') (its own backbone). OpenMixup's AttentiveMix+
#   used a pretrained ResNet and lam ~ Beta(alpha, 8); for a frozen guide pass --cfg-options
#   model.guide.type=frozen model.guide.backbone=... model.guide.checkpoint=PATH
model = dict(mixers=[dict(type='AttentiveMix', alpha=2.0)])
