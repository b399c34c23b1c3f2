_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/stanford_cars_finetune.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Co-Tuning (You et al., NeurIPS 2020), ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), stanford-cars with 30% labels.
model = dict(
    type='CoTuning',
    head=dict(num_classes=196),
    source_classes=1000,
    lambda_co=2.3,
)
train_dataloader = dict(dataset=dict(ann_file='meta/train_labeled_30pct_seed0.txt'))
custom_hooks = [dict(type='CoTuningRelationHook')]
