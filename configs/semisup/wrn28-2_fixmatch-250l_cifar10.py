_base_ = [
    '../_base_/models/wrn28_2_semisup.py',
    '../_base_/datasets/cifar10_semisup.py',
    '../_base_/schedules/semisup_sgd_cosine_1m.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch (Sohn et al., arXiv:2001.07685); cifar10 with 250 labels.
