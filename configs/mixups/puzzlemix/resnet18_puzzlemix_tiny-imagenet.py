# PuzzleMix (Kim et al., ICML 2020, arXiv:2009.06962), with ResNet-18 (CIFAR stem, as
#   OpenMixup/PuzzleMix) on Tiny-ImageNet 64x64, 400 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 400 ep, median of the last 10 epochs): 65.81
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, Tiny-ImageNet; a published number,
#   not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet_bs100.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: OpenMixup Tiny-ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# PuzzleMix options: the class defaults are the reference settings (see PuzzleMix: beta 1.2, gamma
#   0.5, eta 0.2, 3 labels, t_eps 0.8, transport on; block_num from (2, 4, 8, 16))
model = dict(mixers=[dict(type='PuzzleMix', alpha=1.0)], head=dict(num_classes=200))
