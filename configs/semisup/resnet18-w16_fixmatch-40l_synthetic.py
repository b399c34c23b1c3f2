_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/synthetic_semisup.py',
    '../_base_/schedules/semisup_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch (Sohn et al., arXiv:2001.07685); synthetic with 40 labels.
