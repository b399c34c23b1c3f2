# ManifoldMix (Verma et al., ICML 2019, arXiv:1806.05236), with ResNet-18 (CIFAR stem) on
#   CIFAR-100, 800 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 800 ep, median of the last 10 epochs): 80.35
#   (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not an
#   mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: OpenMixup CIFAR-100 benchmark (configs/classification/cifar100/README.md)
# layers: the default (0, 1, 2), the inputs of stages 0-2 (OpenMixup layer=(0, 3))
model = dict(mixers=[dict(type='ManifoldMix', alpha=2.0)])
