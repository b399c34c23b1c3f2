"""Data sets: procedurally generated synthetic data (nothing is downloaded)."""
from .semisup import SemiSupDataset, SemiSupSampler
from .splits import make_semisup_split, split_indices
from .synthetic import (CLS_SHAPES, DET_CLASS_SHAPES, classification_classes,
                        detection_classes, ensure_classification, generate_classification,
                        generate_detection, load_foreground_masks, read_params,
                        render_classification_sample, render_detection_sample, sample_rng)

__all__ = [
    'SemiSupDataset', 'SemiSupSampler', 'make_semisup_split', 'split_indices',
    'CLS_SHAPES', 'DET_CLASS_SHAPES', 'classification_classes', 'detection_classes',
    'ensure_classification', 'generate_classification', 'generate_detection',
    'load_foreground_masks', 'read_params', 'render_classification_sample',
    'render_detection_sample', 'sample_rng'
]
