# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with the full-width ResNet-18 (CIFAR stem) on
#   CIFAR-10 from the JPEG archive (50,000 training / 10,000 test images, batch 100). One of the
#   four configs of the CIFAR-10 GPU comparison (`tools/benchmarks/cifar10_gpu.py`, which sets
#   `max_epochs` from its time budget; docs/cifar10_gpu.md).
# From the reference CIFAR recipe (`_base_/models/automix_resnet18_cifar.py`,
#   `_base_/schedules/automix_cifar_sgd_cosine_800e.py`, OpenMixup's `cifar100/automix/`): alpha 2,
#   the Mix Block on stage 3 (8x8, 256 channels), nearest upsampling, mask loss gamma 0.1 / eps 0.1,
#   lam margin 0.08, SGD lr 0.1, momentum 0.9, weight decay 1e-4, the Mix Block a parameter group
#   of the same optimizer at the same lr.
# Adapted to a run of a few thousand iterations instead of 800 epochs (as the short synthetic
#   config `configs/automix/resnet18-w16_automix_synthetic.py`; docs/automix.md):
#   * the schedule of the other three methods (`resnet18_vanilla_cifar10-jpeg.py`): one warm-up
#     epoch, then cosine to 0 instead of the reference's floor of 0.05, which is meant for 800
#     epochs and would leave a short run at half the peak lr (so its last epochs would not be
#     comparable with the others'); `param_scheduler.1.eta_min=0.05` restores it;
#   * Mix Block: the lam embedding on and init std 0.1 (at 0.01 the attention stays uniform for a
#     whole short run), and `lam_anchor` (an mmmix option: the mask's log-odds are centred on lam,
#     so the mask cannot fall into the saturated all-x / all-partner state seen on short runs);
#   * teacher momentum 0.99 for the first 10% of the iterations, then cosine to 0.999 (the
#     reference's 0.999 -> 0.999999 suits 400,000 iterations: in a few thousand the teacher would
#     barely leave its random init and the Mix Block would learn against it).
_base_ = [
    '../_base_/models/automix_resnet18_cifar.py',
    '../_base_/datasets/cifar10-jpeg_bs100.py',
    '../_base_/schedules/automix_cifar_sgd_cosine_800e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    head=dict(num_classes=10, topk=(1, )),
    mix_block=dict(lam_embed=True, init_std=0.1, lam_anchor=True),
    momentum=0.99,
    end_momentum=0.999)

# one warm-up epoch, then cosine to 0; 30 epochs is a placeholder that the benchmark script
# replaces (`max_epochs` and the cosine's `end`)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=30, eta_min=0.,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=30)

# resume needs the last epoch only; no "best" checkpoint (it would select on the test split)
default_hooks = dict(checkpoint=dict(max_keep_ckpts=1, save_best=None))
