"""Data sets: procedurally generated synthetic data (nothing is downloaded)."""
from .synthetic import (CLS_SHAPES, DET_CLASS_SHAPES, classification_classes,
                        detection_classes, ensure_classification, generate_classification,
                        generate_detection, load_foreground_masks, read_params,
                        render_classification_sample, render_detection_sample, sample_rng)

__all__ = [
    'CLS_SHAPES', 'DET_CLASS_SHAPES', 'classification_classes', 'detection_classes',
    'ensure_classification', 'generate_classification', 'generate_detection',
    'load_foreground_masks', 'read_params', 'render_classification_sample',
    'render_detection_sample', 'sample_rng'
]
