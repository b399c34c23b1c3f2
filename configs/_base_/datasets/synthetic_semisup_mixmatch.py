# MixMatch batches on the synthetic data: as `synthetic_semisup.py`, but every
# unlabeled sample gets K = 2 weak views (branches `weak`, `weak2`) for label
# guessing instead of a weak and a strong view.
_base_ = './synthetic_semisup.py'

# the base's weak view (config files are plain literals)
weak = [
    dict(type='RandomCrop', crop_size=32, padding=4, padding_mode='reflect'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
]
train_dataloader = dict(
    dataset=dict(
        labeled=dict(pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='MultiBranch', branch_field=['weak', 'weak2'],
                 weak=weak + [dict(type='PackInputs')]),
        ]),
        unlabeled=dict(pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='MultiBranch', branch_field=['weak', 'weak2'],
                 weak=weak + [dict(type='PackInputs')],
                 weak2=weak + [dict(type='PackInputs')]),
        ]),
        unlabeled_branches=['weak', 'weak2']))
