# Mixup (Zhang et al., ICLR 2018, arXiv:1710.09412), with ResNet-50 on ImageNet-1k, 100 epochs, 8
#   GPUs x 32 images.
# Reference top-1 reported by OpenMixup (R-50 100 ep, median of the last 10 epochs): 77.12
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, PyTorch-style ImageNet; a published
#   number, not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: ALGORITHMS.md (Mixup on ImageNet, a=1; also the DM ImageNet R-18 setting).
#   OpenMixup's PyTorch-style ImageNet table used 0.2 (docs/en/model_zoos/Model_Zoo_sup.md).
model = dict(mixers=[dict(type='Mixup', alpha=1.0)])
