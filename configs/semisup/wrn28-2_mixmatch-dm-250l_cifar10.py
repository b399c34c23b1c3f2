_base_ = [
    '../_base_/models/wrn28_2_semisup.py',
    '../_base_/datasets/cifar10_semisup_mixmatch.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# MixMatch+DM (Liu et al., arXiv:2203.10761): MixMatch plus the decoupled
# term of the labeled class on mixed labeled samples; cifar10 with 250 labels.
model = dict(
    type='MixMatch',
    # lambda_u: MixMatch's value for CIFAR-10
    lambda_u=75,
    # dm_eta=1.0: our choice (the slides give no weight)
    dm_eta=1.0)

# MixMatch's optimiser: Adam, lr 0.002
optim_wrapper = dict(optimizer=dict(_delete_=True, type='Adam', lr=0.002))
