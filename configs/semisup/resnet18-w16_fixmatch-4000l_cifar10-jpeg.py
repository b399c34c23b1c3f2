# FixMatch (Sohn et al., NeurIPS 2020) on CIFAR-10 (JPEG) with 4,000 labels, the narrow
# ResNet-18 and a CPU budget of 2,000 iterations (docs/cifar10_benchmark.md).
_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/cifar10-jpeg_semisup.py',
    '../_base_/schedules/semisup_cifar10-jpeg_sgd_2k.py',
    '../_base_/semisup_runtime.py',
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval=250, max_keep_ckpts=1, save_best=None))
