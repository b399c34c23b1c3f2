"""Data sets: procedurally generated synthetic data (nothing is downloaded)."""
from .coco_semi import split_coco_semi, write_semi_splits
from .semisup import SemiSupDataset, SemiSupSampler
from .splits import make_semisup_split, split_indices
from .synthetic import (CLS_SHAPES, DET_CLASS_SHAPES, classification_classes,
                        detection_classes, ensure_classification, ensure_detection,
                        generate_classification,
                        generate_detection, load_foreground_masks, read_params,
                        render_classification_sample, render_detection_sample, sample_rng)

__all__ = [
    'SemiSupDataset', 'SemiSupSampler', 'make_semisup_split', 'split_indices',
    'CLS_SHAPES', 'DET_CLASS_SHAPES', 'classification_classes', 'detection_classes',
    'ensure_classification', 'ensure_detection', 'generate_classification', 'generate_detection',
    'load_foreground_masks', 'read_params', 'render_classification_sample',
    'render_detection_sample', 'sample_rng', 'split_coco_semi', 'write_semi_splits'
]
