# AttentiveMix (Walawalkar et al., ICASSP 2020, arXiv:2003.13048), with ResNet-18 (CIFAR stem, as
#   OpenMixup/PuzzleMix) on Tiny-ImageNet 64x64, 400 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 400 ep, median of the last 10 epochs): 64.85
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, Tiny-ImageNet; a published number,
#   not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/tiny_imagenet_bs100.py',
    '../../_base_/schedules/tiny_sgd_cosine_400e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: OpenMixup Tiny-ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# guide: the classifier's default dict(type='self') (its own backbone). OpenMixup's AttentiveMix+
#   used a pretrained ResNet and lam ~ Beta(alpha, 8); for a frozen guide pass --cfg-options
#   model.guide.type=frozen model.guide.backbone=... model.guide.checkpoint=PATH
model = dict(mixers=[dict(type='AttentiveMix', alpha=2.0)], head=dict(num_classes=200))
