# PuzzleMix (Kim et al., ICML 2020, arXiv:2009.06962), with ResNet-18 on ImageNet-1k, 100 epochs,
#   8 GPUs x 32 images.
# Reference top-1 reported by OpenMixup (R-18 100 ep, median of the last 10 epochs): 70.12
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, PyTorch-style ImageNet; a
#   published number, not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=1.0: OpenMixup PyTorch-style ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# PuzzleMix options: the class defaults are the reference settings (see PuzzleMix: beta 1.2, gamma
#   0.5, eta 0.2, 3 labels, t_eps 0.8, transport on; block_num from (2, 4, 8, 16))
model = dict(mixers=[dict(type='PuzzleMix', alpha=1.0)])
