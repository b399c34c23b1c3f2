_base_ = [
    '../_base_/models/wrn28_8_semisup.py',
    '../_base_/datasets/cifar100_semisup.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch (Sohn et al., arXiv:2001.07685); cifar100 with 10000 labels.
# FixMatch's CIFAR-100 weight decay
optim_wrapper = dict(optimizer=dict(weight_decay=1e-3))

train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='meta/train_labeled_100pc_seed0.txt'),
        unlabeled=dict(ann_file='meta/train_unlabeled_100pc_seed0.txt')))
