"""Semi-supervised classifiers: FixMatch (+Mixup, +DM) and MixMatch (+DM)."""
from .base import SemiSupClassifier, SemiSupDataPreprocessor
from .fixmatch import FixMatch
from .mixmatch import MixMatch

__all__ = ['SemiSupClassifier', 'SemiSupDataPreprocessor', 'FixMatch', 'MixMatch']
