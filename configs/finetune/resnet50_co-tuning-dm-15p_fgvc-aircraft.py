_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/fgvc_aircraft_finetune.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Co-Tuning (You et al., NeurIPS 2020) + DM(CE), ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), fgvc-aircraft with 15% labels.
model = dict(
    type='CoTuning',
    source_classes=1000,
    lambda_co=2.3,
    mixers=[dict(type='Mixup', alpha=1.0)],
    head=dict(num_classes=100, mix_loss=dict(type='DecoupledMixupLoss', eta=1.0)),
)
custom_hooks = [dict(type='CoTuningRelationHook')]
