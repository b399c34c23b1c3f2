"""Sample-mixing methods: one module per method, all following the contract
of :mod:`mmmix.mixers.base` and registered in ``BATCH_AUGMENTS``."""
from .attentivemix import AttentiveMix
from .base import BaseMixer, MixResult
from .comixup import CoMixup
from .cutmix import CutMix
from .fmix import FMix
from .gridmix import GridMix
from .manifoldmix import ManifoldMix
from .mixup import Mixup
from .puzzlemix import PuzzleMix
from .resizemix import ResizeMix
from .saliencymix import SaliencyMix
from .smoothmix import SmoothMix

__all__ = [
    'BaseMixer', 'MixResult', 'Mixup', 'CutMix', 'ResizeMix', 'FMix', 'GridMix', 'SmoothMix',
    'SaliencyMix', 'ManifoldMix', 'PuzzleMix', 'AttentiveMix', 'CoMixup'
]
