# The model of the semantic-ratio experiment (tools/analysis/semantic_ratio.py): CutMix + SUMix
#   (Qin et al., ECCV 2024, arXiv:2407.07805) with a narrow ResNet-18 (CIFAR stem, width 16) on the
#   synthetic 10-class 32x32 data, whose images carry their foreground masks; the base's short
#   CPU schedule (SGD, 30 epochs, batch 32).
_base_ = [
    '../_base_/models/resnet18-w16_cifar.py',
    '../_base_/datasets/synthetic_cls.py',
    '../_base_/schedules/synthetic_sgd_short.py',
    '../_base_/default_runtime.py',
]

# alpha=0.2: the CIFAR-100 value (same 32x32 size) of OpenMixup's CutMix and of the SUMix paper
# gamma=0.5: the paper's CIFAR-100 setting; scale=100: s = the paper's batch of 100 (the reference
#   uses s = the per-GPU batch), stated explicitly because semantic_ratio.py reuses it for lam'
model = dict(
    mixers=[dict(type='CutMix', alpha=0.2)],
    head=dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=100.)))

# a short run: log every 20 iterations
default_hooks = dict(logger=dict(interval=20))
