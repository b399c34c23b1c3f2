_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/synthetic_semisup_mixmatch.py',
    '../_base_/schedules/semisup_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# MixMatch+DM (Liu et al., arXiv:2203.10761): MixMatch plus the decoupled
# term of the labeled class on mixed labeled samples; synthetic with 40 labels.
model = dict(
    type='MixMatch',
    # lambda_u: MixMatch's value for CIFAR-10
    lambda_u=75,
    # the paper ramps lambda_u over 16000 steps; half the short schedule here
    ramp_iters=300,
    # dm_eta=1.0: our choice (the slides give no weight)
    dm_eta=1.0)
