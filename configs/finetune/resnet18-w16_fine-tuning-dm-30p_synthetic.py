_base_ = [
    '../_base_/models/resnet18-w16_finetune.py',
    '../_base_/datasets/synthetic_finetune.py',
    '../_base_/schedules/finetune_sgd_short.py',
    '../_base_/semisup_runtime.py',
]

# Fine-Tuning + DM(CE) on the synthetic data with 30% labels (CPU twin).
model = dict(
    mixers=[dict(type='Mixup', alpha=1.0)],
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=1.0)),
)
