_base_ = [
    '../_base_/models/resnet18-w16_finetune.py',
    '../_base_/datasets/synthetic_finetune.py',
    '../_base_/schedules/finetune_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# Co-Tuning (You et al., NeurIPS 2020) on the synthetic data with 30% labels (CPU twin).
model = dict(
    type='CoTuning',
    source_classes=1000,
    lambda_co=2.3,
)
custom_hooks = [dict(type='CoTuningRelationHook')]
