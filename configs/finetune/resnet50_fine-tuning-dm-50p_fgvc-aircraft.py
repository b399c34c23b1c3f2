_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/fgvc_aircraft_finetune.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Fine-Tuning + DM(CE), ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), fgvc-aircraft with 50% labels.
model = dict(
    mixers=[dict(type='Mixup', alpha=1.0)],
    head=dict(num_classes=100, mix_loss=dict(type='DecoupledMixupLoss', eta=1.0)),
)
train_dataloader = dict(dataset=dict(ann_file='meta/train_labeled_50pct_seed0.txt'))
