"""Comparing a state dict with a module's, for loaders that must say exactly
what does not fit (the fine-tuning loader, the converter's verification,
``TransferCheckHook``)."""
from typing import Callable, List, Mapping, Optional, Tuple


def key_listing(keys, limit: int = 6) -> str:
    """The first ``limit`` keys, sorted, and how many more there are."""
    keys = sorted(keys)
    more = f' (+{len(keys) - limit} more)' if len(keys) > limit else ''
    return f'{keys[:limit]}{more}'


def compare_state(own: Mapping, given: Mapping,
                  skip_missing: Optional[Callable[[str], bool]] = None
                  ) -> Tuple[List[str], List[str], List[str]]:
    """``(missing, unexpected, shape mismatches)`` of ``given`` against a
    module's ``own`` state dict: keys of ``own`` absent from ``given`` (unless
    ``skip_missing(key)``), keys of ``given`` absent from ``own``, and
    ``'key: given shape vs own shape'`` for keys in both."""
    missing = [k for k in own if k not in given and not (skip_missing and skip_missing(k))]
    unexpected = [k for k in given if k not in own]
    mismatched = [f'{k}: {tuple(given[k].shape)} vs {tuple(own[k].shape)}'
                  for k in given if k in own and tuple(given[k].shape) != tuple(own[k].shape)]
    return missing, unexpected, mismatched
