from .hooks import *  # noqa: F401,F403
from .optim_wrappers import CPUAmpOptimWrapper
from .optimizers import *  # noqa: F401,F403

__all__ = ['CPUAmpOptimWrapper']
