# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): ResizeMix + SUMix (Qin et al., ECCV 2024),
# gamma 0.5 and scale 100 (the paper's CIFAR-100 setting at batch 100), each sample's own lam',
# with the paper's clean pass; the mixer as in the ResizeMix (MCE) row.
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(
    mixers=[dict(type='ResizeMix', alpha=1.0)],
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=100.0, lam_reduction='sample')))
