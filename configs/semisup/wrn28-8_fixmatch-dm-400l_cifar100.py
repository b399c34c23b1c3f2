_base_ = [
    '../_base_/models/wrn28_8_semisup.py',
    '../_base_/datasets/cifar100_semisup.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch+DM (Liu et al., arXiv:2203.10761): FixMatch plus the asymmetric
# labeled-unlabeled mixing (lam >= 0.5) with the labeled-only decoupled term;
# cifar100 with 400 labels.
model = dict(
    # alpha=1.0, dm_eta=1.0 and the ramp length: our choices (the sources give
    # none for the semi-supervised setting)
    mixers=[dict(type='Mixup', alpha=1.0)],
    mix_loss='dm',
    mix_ramp_iters=65536)

# FixMatch's CIFAR-100 weight decay
optim_wrapper = dict(optimizer=dict(weight_decay=1e-3))

train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='meta/train_labeled_4pc_seed0.txt'),
        unlabeled=dict(ann_file='meta/train_unlabeled_4pc_seed0.txt')))
