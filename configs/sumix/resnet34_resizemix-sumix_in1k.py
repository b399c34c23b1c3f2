# ResizeMix (Qin et al., arXiv:2012.11101) + SUMix (Qin et al., ECCV 2024, arXiv:2407.07805), with
#   ResNet-34 on ImageNet-1k, 100 epochs, 8 GPUs x 32 images.
# ResNet-34: the ResNet-18 config with depth 34 (basic blocks with 512 output channels like
#   ResNet-18, so the head keeps in_channels=512).
# No published SUMix number for this setting in ALGORITHMS.md.
_base_ = '../mixups/resizemix/resnet18_resizemix_in1k.py'

# alpha=1.0: OpenMixup PyTorch-style ImageNet benchmark (docs/en/model_zoos/Mixup_sup.md; its
#   alpha-0.2 note is for R-18 only); the inherited R-18 config uses 0.2
# gamma=0.5: ALGORITHMS.md, SUMix default for ImageNet (0.5: CIFAR-100, CUB, Aircraft, ImageNet;
#   1.0: Tiny-ImageNet)
# scale=100: the paper's batch of 100 (the reference uses s = the per-GPU batch size);
#   lam_reduction='sample': each sample's own lam' (the reference uses the batch mean,
#   'batch_mean')
model = dict(
    mixers=[dict(type='ResizeMix', alpha=1.0)],
    backbone=dict(depth=34),
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=100.0, lam_reduction='sample')),
)
