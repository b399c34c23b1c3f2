_base_ = [
    '../_base_/models/resnet18-w16_semisup.py',
    '../_base_/datasets/synthetic_semisup.py',
    '../_base_/schedules/semisup_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# FixMatch+Mixup: FixMatch plus MCE on mixed labeled batches; synthetic with 40 labels.
model = dict(
    # alpha=1.0: our choice (the sources give none for this setting)
    mixers=[dict(type='Mixup', alpha=1.0)],
    mix_with='labeled',
    mix_loss='mce')
