# ManifoldMix (Verma et al., ICML 2019, arXiv:1806.05236), with a narrow ResNet-18 (CIFAR stem,
#   width 16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few
#   minutes).
_base_ = [
    '../../_base_/models/resnet18-w16_cifar.py',
    '../../_base_/datasets/synthetic_cls.py',
    '../../_base_/schedules/synthetic_sgd_short.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: the CIFAR-100 value (same 32x32 size): OpenMixup CIFAR-100 benchmark
#   (configs/classification/cifar100/README.md)
# layers: the default (0, 1, 2), the inputs of stages 0-2 (OpenMixup layer=(0, 3))
model = dict(mixers=[dict(type='ManifoldMix', alpha=2.0)])
