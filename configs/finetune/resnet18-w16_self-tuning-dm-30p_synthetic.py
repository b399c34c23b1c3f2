_base_ = [
    '../_base_/models/resnet18-w16_finetune.py',
    '../_base_/datasets/synthetic_selftuning.py',
    '../_base_/schedules/finetune_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# Self-Tuning (Wang et al., ICML 2021) + DM(CE) on the synthetic data with 30% labels (CPU twin).
model = dict(
    type='SelfTuning',
    mixers=[dict(type='Mixup', alpha=1.0)],
)
