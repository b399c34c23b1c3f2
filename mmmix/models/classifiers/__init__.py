from .automix import AutoMix
from .mixup_classifier import MixupClassifier, build_mixers

__all__ = ['MixupClassifier', 'build_mixers', 'AutoMix']
