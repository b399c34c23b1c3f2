_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/fgvc_aircraft_selftuning.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Self-Tuning (Wang et al., ICML 2021) + DM(CE), ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), fgvc-aircraft with 30% labels.
model = dict(
    type='SelfTuning',
    head=dict(num_classes=100),
    mixers=[dict(type='Mixup', alpha=1.0)],
)
train_dataloader = dict(dataset=dict(
    labeled=dict(ann_file='meta/train_labeled_30pct_seed0.txt'),
    unlabeled=dict(ann_file='meta/train_unlabeled_30pct_seed0.txt')))
