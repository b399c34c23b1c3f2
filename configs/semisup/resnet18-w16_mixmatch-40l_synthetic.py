_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/synthetic_semisup_mixmatch.py',
    '../_base_/schedules/semisup_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# MixMatch (Berthelot et al., arXiv:1905.02249); synthetic with 40 labels.
model = dict(
    type='MixMatch',
    # lambda_u: MixMatch's value for CIFAR-10
    lambda_u=75,
    # the paper ramps lambda_u over 16000 steps; half the short schedule here
    ramp_iters=300)
