# FMix (Harris et al., arXiv:2002.12047) + SUMix (Qin et al., ECCV 2024, arXiv:2407.07805), with
#   ResNet-18 (CIFAR stem) on Tiny-ImageNet 64x64, 400 epochs, batch 100.
# No published SUMix number for this setting in ALGORITHMS.md.
_base_ = '../mixups/fmix/resnet18_fmix_tiny-imagenet.py'

# gamma=1.0: ALGORITHMS.md, SUMix default for Tiny-ImageNet (0.5: CIFAR-100, CUB, Aircraft,
#   ImageNet; 1.0: Tiny-ImageNet); alpha: that of the MCE config
# scale=100: the paper's batch of 100 (the reference uses s = the per-GPU batch size);
#   lam_reduction='sample': each sample's own lam' (the reference uses the batch mean,
#   'batch_mean')
model = dict(
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=1.0, scale=100.0, lam_reduction='sample')),
)
