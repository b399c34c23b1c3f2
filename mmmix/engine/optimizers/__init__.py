from .automix_constructor import AutoMixOptimWrapperConstructor, AutoMixOptimWrapperDict

__all__ = ['AutoMixOptimWrapperConstructor', 'AutoMixOptimWrapperDict']
