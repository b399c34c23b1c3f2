"""Data sets: procedurally generated synthetic data (nothing is downloaded).

The semi-supervised batch composition (:mod:`.semisup`) reuses mmdet; without
it, its registry names are placeholders that raise an ImportError naming mmdet
(see :mod:`mmmix.utils.optional`).
"""
from mmmix.registry import DATA_SAMPLERS, DATASETS, TRANSFORMS
from mmmix.utils.optional import is_available, register_placeholders
from .coco_semi import split_coco_semi, write_semi_splits
from .samplers import ResumableInfiniteSampler, infinite_indices
from .splits import make_semisup_split, split_indices
from .synthetic import (CLS_SHAPES, DET_CLASS_SHAPES, classification_classes,
                        detection_classes, ensure_classification, ensure_detection,
                        generate_classification,
                        generate_detection, load_foreground_masks, read_params,
                        render_classification_sample, render_detection_sample, sample_rng)

if is_available('semisup'):
    from .semisup import SemiSupDataset, SemiSupSampler
else:
    SemiSupDataset, SemiSupSampler, _ = register_placeholders('semisup', dict(
        SemiSupDataset=DATASETS, SemiSupSampler=DATA_SAMPLERS, MultiBranch=TRANSFORMS))

__all__ = [
    'SemiSupDataset', 'SemiSupSampler', 'ResumableInfiniteSampler', 'infinite_indices',
    'make_semisup_split', 'split_indices',
    'CLS_SHAPES', 'DET_CLASS_SHAPES', 'classification_classes', 'detection_classes',
    'ensure_classification', 'ensure_detection', 'generate_classification', 'generate_detection',
    'load_foreground_masks', 'read_params', 'render_classification_sample',
    'render_detection_sample', 'sample_rng', 'split_coco_semi', 'write_semi_splits'
]
