# FixMatch+DM (Liu et al., NeurIPS 2023) on CIFAR-10 (JPEG) with 4,000 labels: FixMatch plus
# the asymmetric labeled-unlabeled Mixup (lam >= 0.5) with the decoupled term, as in the
# synthetic FixMatch+DM recipe (alpha 1, eta 1), the mixing ramp over the first quarter of
# the 2,000 iterations (docs/cifar10_benchmark.md).
_base_ = './resnet18-w16_fixmatch-4000l_cifar10-jpeg.py'
model = dict(mixers=[dict(type='Mixup', alpha=1.0)], mix_loss='dm', mix_ramp_iters=500)
