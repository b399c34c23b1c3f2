from .mixup_head import MixupClsHead

__all__ = ['MixupClsHead']
