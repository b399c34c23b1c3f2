# AttentiveMix (Walawalkar et al., ICASSP 2020, arXiv:2003.13048), with ResNet-18 on ImageNet-1k,
#   100 epochs, 8 GPUs x 32 images.
# Reference top-1 reported by OpenMixup (R-18 100 ep, median of the last 10 epochs): 68.57
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, PyTorch-style ImageNet; a
#   published number, not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: OpenMixup PyTorch-style ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# guide: the classifier's default dict(type='self') (its own backbone). OpenMixup's AttentiveMix+
#   used a pretrained ResNet and lam ~ Beta(alpha, 8); for a frozen guide pass --cfg-options
#   model.guide.type=frozen model.guide.backbone=... model.guide.checkpoint=PATH
model = dict(mixers=[dict(type='AttentiveMix', alpha=2.0)])
