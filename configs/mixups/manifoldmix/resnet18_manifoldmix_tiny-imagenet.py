# ManifoldMix (Verma et al., ICML 2019, arXiv:1806.05236), with ResNet-18 (CIFAR stem, as
#   OpenMixup/PuzzleMix) on Tiny-ImageNet 64x64, 400 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 400 ep, median of the last 10 epochs): 64.15
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, Tiny-ImageNet; a published number,
#   not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet_bs100.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: OpenMixup Tiny-ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# layers: the default (0, 1, 2), the inputs of stages 0-2 (OpenMixup layer=(0, 3))
model = dict(mixers=[dict(type='ManifoldMix', alpha=0.2)], head=dict(num_classes=200))
