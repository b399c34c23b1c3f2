_base_ = [
    '../_base_/models/resnet50_finetune.py',
    '../_base_/datasets/stanford_cars_selftuning.py',
    '../_base_/schedules/finetune_sgd_iter.py',
    '../_base_/semisup_runtime.py',
]

# Self-Tuning (Wang et al., ICML 2021) + DM(CE), ResNet-50 from a local ImageNet checkpoint
# (model.pretrained_backbone), stanford-cars with 15% labels.
model = dict(
    type='SelfTuning',
    head=dict(num_classes=196),
    mixers=[dict(type='Mixup', alpha=1.0)],
)
