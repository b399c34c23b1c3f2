from .compat import CHECKPOINT_SAFE_GLOBALS, register_checkpoint_safe_globals, safe_load
from .validation import (ConfigError, StrictKwargs, check_choice, check_kwargs,
                         check_range)

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'register_checkpoint_safe_globals', 'safe_load',
    'ConfigError', 'StrictKwargs', 'check_choice', 'check_kwargs', 'check_range'
]
