from .hooks import *  # noqa: F401,F403
from .loops import IterBasedTrainLoop
from .optim_wrappers import CPUAmpOptimWrapper
from .optimizers import *  # noqa: F401,F403

__all__ = ['CPUAmpOptimWrapper', 'IterBasedTrainLoop']
