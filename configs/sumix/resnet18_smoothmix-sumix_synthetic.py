# SmoothMix (Lee et al., CVPR Workshops 2020) + SUMix (Qin et al., ECCV 2024, arXiv:2407.07805),
#   with a narrow ResNet-18 (CIFAR stem, width 16) on the synthetic 10-class 32x32 data, 30 epochs,
#   batch 32 (a CPU run of a few minutes).
# No published SUMix number for this setting in ALGORITHMS.md.
_base_ = '../mixups/smoothmix/resnet18_smoothmix_synthetic.py'

# gamma=0.5: ALGORITHMS.md, SUMix default for CIFAR-100 (the synthetic data is 32x32 like CIFAR)
#   (0.5: CIFAR-100, CUB, Aircraft, ImageNet; 1.0: Tiny-ImageNet); alpha: that of the MCE config
# scale=100: the paper's batch of 100 (the reference uses s = the per-GPU batch size);
#   lam_reduction='sample': each sample's own lam' (the reference uses the batch mean,
#   'batch_mean')
model = dict(
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=100.0, lam_reduction='sample')),
)
