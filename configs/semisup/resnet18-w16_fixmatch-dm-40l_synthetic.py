_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/synthetic_semisup.py',
    '../_base_/schedules/semisup_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch+DM (Liu et al., arXiv:2203.10761): FixMatch plus the asymmetric
# labeled-unlabeled mixing (lam >= 0.5) with the labeled-only decoupled term;
# synthetic with 40 labels.
model = dict(
    # alpha=1.0, dm_eta=1.0 and the ramp length: our choices (the sources give
    # none for the semi-supervised setting)
    mixers=[dict(type='Mixup', alpha=1.0)],
    mix_loss='dm',
    mix_ramp_iters=150)
