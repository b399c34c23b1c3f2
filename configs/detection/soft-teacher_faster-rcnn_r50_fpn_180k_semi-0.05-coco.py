# SoftTeacher as soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py with 5 % of
# COCO train2017 labeled (fold 1, mmdet's split_coco.py file names).
_base_ = './soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py'

labeled_dataset = _base_.labeled_dataset
unlabeled_dataset = _base_.unlabeled_dataset
labeled_dataset.ann_file = 'semi_anns/instances_train2017.1@5.json'
unlabeled_dataset.ann_file = 'semi_anns/instances_train2017.1@5-unlabeled.json'
train_dataloader = dict(dataset=dict(datasets=[labeled_dataset, unlabeled_dataset]))
