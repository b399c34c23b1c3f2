# MixMatch batches on CIFAR10: as `cifar10_semisup.py`, but every unlabeled sample
# gets K = 2 weak views (branches `weak`, `weak2`) instead of a weak and a strong
# view, and batches hold 64 labeled + 64 unlabeled samples (mu = 1).
_base_ = './cifar10_semisup.py'

# the base's weak view (config files are plain literals)
weak = [
    dict(type='RandomCrop', crop_size=32, padding=4, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
labeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'weak2'],
         weak=weak + [dict(type='PackInputs')]),
]
unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiBranch', branch_field=['weak', 'weak2'],
         weak=weak + [dict(type='PackInputs')],
         weak2=weak + [dict(type='PackInputs')]),
]

train_dataloader = dict(
    batch_size=128,
    dataset=dict(
        labeled=dict(pipeline=labeled_pipeline),
        unlabeled=dict(pipeline=unlabeled_pipeline),
        unlabeled_branches=['weak', 'weak2']),
    # MixMatch's batch: 64 labeled + 64 unlabeled samples (mu = 1)
    sampler=dict(batch_size=128, mu=1),
)
