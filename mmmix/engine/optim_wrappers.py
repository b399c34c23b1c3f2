"""Optimizer wrappers."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from mmmix.registry import OPTIM_WRAPPERS
from mmmix.utils.validation import check_choice


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """Mixed precision on CPU: the forward runs under ``torch.autocast('cpu')``.

    mmengine's ``AmpOptimWrapper`` requires a GPU; ``tools/train.py --amp``
    picks this wrapper when no GPU is present. bf16 needs no loss scaling.
    """

    def __init__(self, *args, dtype: str = 'bfloat16', **kwargs):
        check_choice('dtype', dtype, ('bfloat16', 'float16'), owner='CPUAmpOptimWrapper')
        super().__init__(*args, **kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield
