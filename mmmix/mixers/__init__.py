from .base import BaseMixer, MixResult
from .cutmix import CutMix
from .mixup import Mixup

__all__ = ['BaseMixer', 'MixResult', 'Mixup', 'CutMix']
