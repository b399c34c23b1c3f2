# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): AutoMix (Liu et al., ECCV 2022) on
# the benchmark's model, data and schedule, with the CIFAR settings of
# `_base_/models/automix_resnet18_cifar.py` (alpha 2, Mix Block on the stage-3 features: 8x8,
# 64 channels at width 16). The run has 2,000 iterations, like the 30-epoch synthetic AutoMix
# config, so it takes that config's short-schedule changes (configs/automix/
# resnet18-w16_automix_synthetic.py, docs/automix.md): the lam embedding, Mix Block init std
# 0.1, the lam-anchored mask, and teacher momentum 0.99 -> 0.999.
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar10-jpeg-2k_bs100.py',
    '../_base_/schedules/automix_cifar10-jpeg-2k_sgd_cosine_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(_delete_=True, type='ResNet_CIFAR', depth=18, num_stages=4, stem_channels=16,
                  base_channels=16, out_indices=(3, ), style='pytorch'),
    head=dict(num_classes=10, in_channels=128, topk=(1, )),
    mix_block=dict(in_channels=64, lam_embed=True, init_std=0.1, lam_anchor=True),
    momentum=0.99,
    end_momentum=0.999)

# as every benchmark run (_base_/cifar10-jpeg-2k_benchmark.py): one thread, no workers
train_dataloader = dict(num_workers=0)
val_dataloader = dict(num_workers=0)
test_dataloader = dict(num_workers=0)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(max_keep_ckpts=1, save_best=None))
