# ResizeMix (Qin et al., arXiv:2012.11101) + SUMix (Qin et al., ECCV 2024, arXiv:2407.07805), with
#   Wide-ResNet-28-8 (WideResNet_CIFAR) on CIFAR-100, 800 epochs, batch 100.
# No published SUMix number for this setting in ALGORITHMS.md.
_base_ = '../mixups/resizemix/wrn28-8_resizemix_cifar100.py'

# gamma=0.5: ALGORITHMS.md, SUMix default for CIFAR-100 (0.5: CIFAR-100, CUB, Aircraft, ImageNet;
#   1.0: Tiny-ImageNet); alpha: that of the MCE config
# scale=100: the paper's batch of 100 (the reference uses s = the per-GPU batch size);
#   lam_reduction='sample': each sample's own lam' (the reference uses the batch mean,
#   'batch_mean')
model = dict(
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=100.0, lam_reduction='sample')),
)
