# ManifoldMix (Verma et al., ICML 2019, arXiv:1806.05236), with ResNet-18 on ImageNet-1k, 100
#   epochs, 8 GPUs x 32 images.
# Reference top-1 reported by OpenMixup (R-18 100 ep, median of the last 10 epochs): 69.98
#   (Westlake-AI/openmixup docs/en/model_zoos/Model_Zoo_sup.md, PyTorch-style ImageNet; a
#   published number, not an mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: OpenMixup PyTorch-style ImageNet benchmark (docs/en/model_zoos/Model_Zoo_sup.md)
# layers: the default (0, 1, 2), the inputs of stages 0-2 (OpenMixup layer=(0, 3))
model = dict(mixers=[dict(type='ManifoldMix', alpha=0.2)])
