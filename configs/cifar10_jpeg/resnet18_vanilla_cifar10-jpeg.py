# No mixing (the ERM baseline) with the full-width ResNet-18 (CIFAR stem: 3x3 stride-1 conv1, no
#   max-pool) on CIFAR-10 from the JPEG archive: all 50,000 training images, tested on the 10,000
#   test images after every epoch, batch 100. One of the four configs of the CIFAR-10 GPU
#   comparison (`tools/benchmarks/cifar10_gpu.py`, docs/cifar10_gpu.md); Mixup and CutMix
#   inherit from it.
# Schedule: the optimizer of the CIFAR mixup benchmark (`cifar_sgd_cosine_800e.py`, OpenMixup's
#   CIFAR recipe: SGD lr 0.1, momentum 0.9, weight decay 1e-4, batch 100) for a short run: one
#   epoch of linear warm-up from lr 0.01, then cosine annealing to 0, both per iteration. 30
#   epochs is a placeholder: the benchmark script sets `max_epochs` (and the cosine's `end`) to
#   what its time budget allows.
_base_ = [
    '../_base_/models/resnet18_cifar.py',
    '../_base_/datasets/cifar10-jpeg_bs100.py',
    '../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(mixers=['vanilla'], head=dict(num_classes=10, topk=(1, )))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=30, eta_min=0.,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=30)

# resume needs the last epoch only; no "best" checkpoint (it would select on the test split)
default_hooks = dict(checkpoint=dict(max_keep_ckpts=1, save_best=None))
