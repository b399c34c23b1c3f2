# The CIFAR-10 (JPEG) benchmark schedule (`cifar10-jpeg-2k_sgd_cosine_100e.py`) for AutoMix:
# the Mix Block is a parameter group of the same SGD optimizer, at the same lr.
_base_ = './cifar10-jpeg-2k_sgd_cosine_100e.py'
optim_wrapper = dict(
    constructor='AutoMixOptimWrapperConstructor',
    mix_block=dict(lr_mult=1.0))
