from .optim_wrappers import CPUAmpOptimWrapper

__all__ = ['CPUAmpOptimWrapper']
