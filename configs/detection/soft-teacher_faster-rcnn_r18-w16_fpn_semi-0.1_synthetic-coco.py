# Synthetic twin of soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py (CPU):
# SoftTeacher on the synthetic COCO layout with 10 % of the 400 train images
# labeled (coco/semi_anns/instances_train.1@10.json, fold 1, written by the
# generator), the rest unlabeled, and the changes of _base_/synthetic_det.py
# (BN stays frozen, as in the real config). Backbone checkpoint required:
#   --cfg-options model.detector.backbone.init_cfg.checkpoint=CONVERTED.pth
_base_ = ['./soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py',
          './_base_/synthetic_det.py']

syn_percent = 10
model = dict(
    detector=dict(
        data_preprocessor=_base_.syn_preprocessor,
        backbone=dict(depth=18, stem_channels=16, base_channels=16),
        neck=_base_.syn_fpn,
        rpn_head=_base_.syn_rpn_head,
        roi_head=dict(bbox_roi_extractor=dict(out_channels=64),
                      bbox_head=_base_.syn_bbox_head)),
    data_preprocessor=dict(data_preprocessor=_base_.syn_preprocessor))

# the recipe's pipelines at the twin's scale (RandomResize between 0.75x and 1.25x)
syn_semi_scale = [(96, 96), (160, 160)]
labeled_dataset = _base_.labeled_dataset
labeled_dataset.update(
    data_root=_base_.syn_data_root + 'coco/', metainfo=dict(classes=_base_.syn_classes),
    ann_file=f'semi_anns/instances_train.1@{syn_percent}.json', data_prefix=dict(img='train/'),
    filter_cfg=dict(filter_empty_gt=True, min_size=8))
labeled_dataset.pipeline[2].scale = syn_semi_scale
unlabeled_dataset = _base_.unlabeled_dataset
unlabeled_dataset.update(
    data_root=_base_.syn_data_root + 'coco/', metainfo=dict(classes=_base_.syn_classes),
    ann_file=f'semi_anns/instances_train.1@{syn_percent}-unlabeled.json',
    data_prefix=dict(img='train/'))
unlabeled_dataset.pipeline[2].unsup_teacher[0].scale = syn_semi_scale
unlabeled_dataset.pipeline[2].unsup_student[0].scale = syn_semi_scale
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    sampler=dict(batch_size=4, source_ratio=[1, 3]),
    dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
val_dataloader = _base_.syn_coco_val_dataloader
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='CocoMetric', metric='bbox',
                     ann_file=_base_.syn_data_root + 'coco/annotations/instances_val.json')
test_evaluator = val_evaluator

# 600 iterations, lr x10 down at 450
max_iter = 600
train_cfg = dict(max_iters=max_iter, val_interval=200)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='MultiStepLR', begin=0, end=max_iter, by_epoch=False, milestones=[450], gamma=0.1)
]
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=200, max_keep_ckpts=1))
auto_scale_lr = dict(base_batch_size=4)
