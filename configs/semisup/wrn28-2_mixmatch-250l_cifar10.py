_base_ = [
    '../_base_/models/wrn28_2_semisup.py',
    '../_base_/datasets/cifar10_semisup_mixmatch.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# MixMatch (Berthelot et al., arXiv:1905.02249); cifar10 with 250 labels.
model = dict(
    type='MixMatch',
    # lambda_u: MixMatch's value for CIFAR-10
    lambda_u=75)

# MixMatch's optimiser: Adam, lr 0.002
optim_wrapper = dict(optimizer=dict(_delete_=True, type='Adam', lr=0.002))
