_base_ = [
    '../_base_/models/wrn28_2_semisup.py',
    '../_base_/datasets/cifar10_semisup.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch+Mixup: FixMatch plus MCE on mixed labeled batches; cifar10 with 4000 labels.
model = dict(
    # alpha=1.0: our choice (the sources give none for this setting)
    mixers=[dict(type='Mixup', alpha=1.0)],
    mix_with='labeled',
    mix_loss='mce')

train_dataloader = dict(
    dataset=dict(
        labeled=dict(ann_file='meta/train_labeled_400pc_seed0.txt'),
        unlabeled=dict(ann_file='meta/train_unlabeled_400pc_seed0.txt')))
