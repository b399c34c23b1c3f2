# SoftTeacher synthetic twin with 5 % of the train images labeled (twin of
# soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.05-coco.py).
_base_ = './soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.1_synthetic-coco.py'

syn_percent = 5
labeled_dataset = _base_.labeled_dataset
unlabeled_dataset = _base_.unlabeled_dataset
labeled_dataset.ann_file = f'semi_anns/instances_train.1@{syn_percent}.json'
unlabeled_dataset.ann_file = f'semi_anns/instances_train.1@{syn_percent}-unlabeled.json'
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
