# The short CPU schedule of `synthetic_sgd_short.py` (SGD lr 0.1, momentum 0.9, weight decay
# 1e-4, one warm-up epoch then cosine to 0, 30 epochs, batch 32) for AutoMix on the synthetic
# data: the Mix Block is a parameter group of the same optimizer (same lr).
_base_ = './synthetic_sgd_short.py'

optim_wrapper = dict(
    constructor='AutoMixOptimWrapperConstructor',
    mix_block=dict(lr_mult=1.0))
