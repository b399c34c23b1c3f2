# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with a narrow ResNet-18 (CIFAR stem, width
#   16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes):
#   the CIFAR settings (alpha 2, stage-3 features: 8x8, 64 channels), the Mix Block as a
#   parameter group of the one SGD optimizer.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/synthetic_cls.py',
    '../_base_/schedules/automix_synthetic_sgd_short.py',
    '../_base_/default_runtime.py',
]

model = dict(
    # the narrow ResNet-18 of `resnet18-w16_cifar.py` (base width 16)
    backbone=dict(_delete_=True, type='ResNet_CIFAR', depth=18, num_stages=4, stem_channels=16,
                  base_channels=16, out_indices=(3, ), style='pytorch'),
    head=dict(num_classes=10, in_channels=128, topk=(1, )),
    mix_block=dict(in_channels=64))

# a short run: log every 10 iterations
default_hooks = dict(logger=dict(interval=10))
