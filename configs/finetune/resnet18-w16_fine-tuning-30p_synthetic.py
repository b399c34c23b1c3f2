_base_ = [
    '../_base_/models/resnet18-w16_finetune.py',
    '../_base_/datasets/synthetic_finetune.py',
    '../_base_/schedules/finetune_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# Fine-Tuning on the synthetic data with 30% labels (CPU twin).
