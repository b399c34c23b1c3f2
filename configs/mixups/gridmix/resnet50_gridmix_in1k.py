# GridMix (Baek et al., Pattern Recognition 2021), with ResNet-50 on ImageNet-1k, 100 epochs, 8
#   GPUs x 32 images.
# OpenMixup reports no R-50 100 ep result for this method.
_base_ = [
    '../../_base_/models/resnet50.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=0.2: no OpenMixup ImageNet entry; its CIFAR-100 and Tiny-ImageNet value
model = dict(mixers=[dict(type='GridMix', alpha=0.2)])
