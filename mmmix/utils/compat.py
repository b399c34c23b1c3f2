"""Compatibility shims applied when mmmix is imported.

torch >= 2.6 loads checkpoints with ``weights_only=True`` by default. mmengine
0.10.7 checkpoints carry a few non-tensor objects (the message hub's
``HistoryBuffer`` and numpy scalars/arrays in ``meta``), so ``resume=True`` fails
with ``UnpicklingError``. We allowlist exactly those classes with
``torch.serialization.add_safe_globals``; we never fall back to
``weights_only=False``.
"""
import torch

CHECKPOINT_SAFE_GLOBALS = []


def _collect():
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    out = [HistoryBuffer, np.ndarray, np.dtype]
    # numpy's pickle reconstructors moved between numpy 1.x and 2.x
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    out += [_reconstruct, scalar]
    # concrete dtype classes (numpy >= 1.25 pickles np.dtype('float64') via them)
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        for name in ('Float64DType', 'Float32DType', 'Float16DType', 'Int64DType',
                     'Int32DType', 'Int16DType', 'Int8DType', 'UInt8DType', 'BoolDType'):
            if hasattr(dtypes, name):
                out.append(getattr(dtypes, name))
    return out


def register_checkpoint_safe_globals():
    """Allowlist the classes mmengine checkpoints need for ``weights_only=True``."""
    if CHECKPOINT_SAFE_GLOBALS:
        return CHECKPOINT_SAFE_GLOBALS
    CHECKPOINT_SAFE_GLOBALS.extend(_collect())
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:
        add(list(CHECKPOINT_SAFE_GLOBALS))
    return CHECKPOINT_SAFE_GLOBALS


def safe_load(path, map_location='cpu'):
    """``torch.load(path, weights_only=True)`` with the mmmix allowlist in force.

    Raises ``RuntimeError`` naming the offending global when the file needs
    arbitrary code to unpickle.
    """
    register_checkpoint_safe_globals()
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # pickle.UnpicklingError and friends
        if 'Unsupported global' in str(e) or 'weights_only' in str(e):
            raise RuntimeError(
                f'refusing to load {path}: it needs a class outside the weights-only '
                f'allowlist (this would run arbitrary code). Details: {e}') from None
        raise
