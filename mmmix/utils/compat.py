"""Compatibility shims applied when mmmix is imported.

torch >= 2.6 loads checkpoints with ``weights_only=True`` by default. mmengine
0.10.7 checkpoints carry a few non-tensor objects (the message hub's
``HistoryBuffer`` and numpy scalars/arrays in ``meta``), so ``resume=True`` fails
with ``UnpicklingError``. We allowlist exactly those classes with
``torch.serialization.add_safe_globals``; weights-only loading is never
switched off.

One more detail: ``HistoryBuffer.__getstate__`` pickles its class-level
statistics functions (``min``/``max``/``mean``/``current``), which protocol 2
writes as ``getattr(HistoryBuffer, 'min')``. Allowlisting ``builtins.getattr``
would open the weights-only unpickler to attribute walks, so instead mmmix makes
``HistoryBuffer`` leave those functions out of its pickled state: they live on
the class and ``HistoryBuffer.__setstate__`` restores them. Checkpoints written
with mmmix imported therefore need only the classes listed here. (A checkpoint
written by plain mmengine still holds the ``getattr`` form and is refused with
a clear message.)
"""
import functools

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


def _history_buffer_getstate(self):
    # the statistics functions are class attributes; __setstate__ restores them
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    return state


def register_checkpoint_safe_globals():
    """Allowlist the classes mmengine checkpoints need for ``weights_only=True``."""
    if CHECKPOINT_SAFE_GLOBALS:
        return CHECKPOINT_SAFE_GLOBALS
    from mmengine.logging.history_buffer import HistoryBuffer
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    CHECKPOINT_SAFE_GLOBALS.extend(_collect())
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:
        add(list(CHECKPOINT_SAFE_GLOBALS))
    return CHECKPOINT_SAFE_GLOBALS


def _without_cuda_set_device(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if torch.cuda.is_available():
            return fn(*args, **kwargs)
        original = torch.cuda.set_device
        torch.cuda.set_device = lambda *a, **k: None  # no device to pin on a CPU host
        try:
            return fn(*args, **kwargs)
        finally:
            torch.cuda.set_device = original
    wrapper.__mmmix_patched__ = True
    return wrapper


def patch_cpu_distributed():
    """mmengine 0.10.7 calls ``torch.cuda.set_device`` unconditionally when it
    initialises torchrun/Slurm process groups, which fails on CPU-only hosts.
    On such hosts skip only that call; the gloo process group is set up as usual.
    """
    import mmengine.dist.utils as dist_utils
    for name in ('_init_dist_pytorch', '_init_dist_slurm'):
        fn = getattr(dist_utils, name)
        if not getattr(fn, '__mmmix_patched__', False):
            setattr(dist_utils, name, _without_cuda_set_device(fn))


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
            hint = ''
            if 'getattr' in str(e):
                hint = (' (a checkpoint written by mmengine without mmmix imported stores '
                        "HistoryBuffer's methods through getattr; resume from one written by "
                        'a run that imported mmmix)')
            raise RuntimeError(
                f'refusing to load {path}: it needs a class outside the weights-only '
                f'allowlist (this would run arbitrary code){hint}. Details: {e}') from None
        raise
