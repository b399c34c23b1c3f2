# AttentiveMix (Walawalkar et al., ICASSP 2020, arXiv:2003.13048), with a narrow ResNet-18 (CIFAR
#   stem, width 16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few
#   minutes).
_base_ = [
    '../../_base_/models/resnet18-w16_cifar.py',
    '../../_base_/datasets/synthetic_cls.py',
    '../../_base_/schedules/synthetic_sgd_short.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: the CIFAR-100 value (same 32x32 size): OpenMixup CIFAR-100 benchmark
#   (configs/classification/cifar100/README.md)
# guide: the classifier's default dict(type='self') (its own backbone). OpenMixup's AttentiveMix+
#   used a pretrained ResNet and lam ~ Beta(alpha, 8); for a frozen guide pass --cfg-options
#   model.guide.type=frozen model.guide.backbone=... model.guide.checkpoint=PATH
model = dict(mixers=[dict(type='AttentiveMix', alpha=2.0)])
