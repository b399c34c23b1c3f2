_base_ = [
    '../_base_/models/wrn28_8_semisup.py',
    '../_base_/datasets/cifar100_semisup_mixmatch.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# MixMatch (Berthelot et al., arXiv:1905.02249); cifar100 with 400 labels.
model = dict(
    type='MixMatch',
    # lambda_u: MixMatch's value for CIFAR-100
    lambda_u=150)

# MixMatch's optimiser: Adam, lr 0.002
optim_wrapper = dict(optimizer=dict(_delete_=True, type='Adam', lr=0.002))

train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='meta/train_labeled_4pc_seed0.txt'),
        unlabeled=dict(ann_file='meta/train_unlabeled_4pc_seed0.txt')))
