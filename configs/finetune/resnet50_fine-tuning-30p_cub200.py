_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/cub200_finetune.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Fine-Tuning, ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), cub200 with 30% labels.
train_dataloader = dict(dataset=dict(ann_file='meta/train_labeled_30pct_seed0.txt'))
