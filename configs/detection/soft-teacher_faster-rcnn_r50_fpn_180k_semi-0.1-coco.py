# Semi-supervised detection: mmdet's SoftTeacher (Faster R-CNN R-50 FPN, 180k
# iterations, 10 % of COCO train2017 labeled, fold 1) with the backbone initialised
# from an mmmix classification checkpoint converted by
# tools/model_converters/mmmix_to_mmdet.py:
#   python tools/train.py CONFIG --cfg-options \
#       model.detector.backbone.init_cfg.checkpoint=CONVERTED.pth
# Splits: mmdet's tools/misc/split_coco.py layout
# (semi_anns/instances_train2017.1@10.json and ...-unlabeled.json).
# Unlike the supervised transfer configs, BN stays frozen as in the stock recipe:
# mmdet's MeanTeacherHook averages parameters only, so a teacher whose BN
# statistics never move must see a student whose statistics do not move either.
# Pytorch-style backbone (RGB, ImageNet mean/std) instead of the caffe one.
# Scope: mmdet; `custom_imports` loads mmmix. Synthetic twin:
# soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.1_synthetic-coco.py.
_base_ = 'mmdet::soft_teacher/soft-teacher_faster-rcnn_r50-caffe_fpn_180k_semi-0.1-coco.py'
custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)
# a crash while saving keeps the previous checkpoint (mmdet's CheckpointHook deletes the
# oldest one first)
default_hooks = dict(checkpoint=dict(type='mmmix.AtomicCheckpointHook'))

detector_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32)
model = dict(
    detector=dict(
        data_preprocessor=detector_preprocessor,
        backbone=dict(
            style='pytorch',
            # required: --cfg-options model.detector.backbone.init_cfg.checkpoint=...
            init_cfg=dict(type='Pretrained', checkpoint=None))),
    data_preprocessor=dict(data_preprocessor=detector_preprocessor))

custom_hooks = [dict(type='MeanTeacherHook'), dict(type='mmmix.TransferCheckHook')]
