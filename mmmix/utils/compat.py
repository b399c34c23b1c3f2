"""Compatibility shims applied when mmmix is imported.

Importing mmmix does exactly these, each for the reason given:

1. **Allowlist for weights-only loading.** torch >= 2.6 loads checkpoints with
   ``weights_only=True`` by default. mmengine 0.10.7 checkpoints carry a few
   non-tensor objects (the message hub's ``HistoryBuffer`` and numpy
   scalars/arrays in ``meta``), so ``resume=True`` fails with
   ``UnpicklingError``. We allowlist exactly those classes with
   ``torch.serialization.add_safe_globals``; weights-only loading is never
   switched off.
2. **HistoryBuffer pickles without getattr.** ``HistoryBuffer.__getstate__``
   pickles its class-level statistics functions (``min``/``max``/``mean``/
   ``current``), which protocol 2 writes as ``getattr(HistoryBuffer, 'min')``.
   Allowlisting ``builtins.getattr`` would open the weights-only unpickler to
   attribute walks, so mmmix makes ``HistoryBuffer`` leave those functions out
   of its pickled state: they live on the class and ``__setstate__`` restores
   them. Checkpoints written with mmmix imported therefore need only the
   allowlisted classes (one written by plain mmengine still holds the
   ``getattr`` form and is refused with a clear message).
3. **mmengine's checkpoint loads are weights-only** (:func:`register_weights_only_loaders`).
   mmengine calls ``torch.load`` without ``weights_only``, so the widely used
   ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` turns unpickling of arbitrary code back
   on for ``load_from``, ``resume``, ``tools/test.py`` and ``init_cfg``; and its
   URL loader switches weights-only loading off outright. Local files and URLs
   (http(s), ``torchvision://``, ``open-mmlab://``, ``mmcls://``) are read with
   :func:`safe_load` instead.
4. **CPU-only distributed runs** (:func:`patch_cpu_distributed`): mmengine
   calls ``torch.cuda.set_device`` when it sets up a torchrun/Slurm process
   group; on a host without CUDA that call is skipped.
"""
import functools
import os
import os.path as osp
import pickle
from urllib.parse import urlparse

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


#: how torch reports a file that is no (complete) torch checkpoint
_CORRUPT_SIGNS = ('PytorchStreamReader', 'magic number')


def _not_a_checkpoint(path, detail):
    return RuntimeError(f'cannot load {path}: it is not a torch checkpoint, or it is truncated '
                        f'or corrupt ({detail})')


def safe_load(path, map_location='cpu'):
    """``torch.load(path, weights_only=True)`` with the mmmix allowlist in force.

    Raises ``RuntimeError`` naming ``path`` when the file is empty, is no torch
    checkpoint (or a truncated/corrupt one), or needs a global outside the
    allowlist (unpickling it would run arbitrary code; the error names it).
    """
    register_checkpoint_safe_globals()
    if osp.isfile(path) and osp.getsize(path) == 0:
        raise RuntimeError(f'cannot load {path}: the file is empty (0 bytes)')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        if 'unsupported global' not in str(e).lower():  # e.g. an unknown opcode: garbage
            raise _not_a_checkpoint(path, 'no valid pickle data') from None
        hint = ''
        if 'getattr' in str(e):
            hint = (' (a checkpoint written by mmengine without mmmix imported stores '
                    "HistoryBuffer's methods through getattr; resume from one written by "
                    'a run that imported mmmix)')
        raise RuntimeError(
            f'refusing to load {path}: it needs a class outside the weights-only '
            f'allowlist (this would run arbitrary code){hint}. Details: {e}') from None
    except (EOFError, KeyError) as e:
        raise _not_a_checkpoint(path, f'{type(e).__name__}: {e}') from None
    except RuntimeError as e:
        if not any(sign in str(e) for sign in _CORRUPT_SIGNS):
            raise
        raise _not_a_checkpoint(path, str(e).split('. ')[0]) from None


def load_from_local_weights_only(filename, map_location=None):
    """The local scheme of mmengine's ``CheckpointLoader``, through :func:`safe_load`.

    (mmengine logs the name after ``load_from_`` as the backend.)"""
    return safe_load(osp.expanduser(filename), map_location)


def load_url_weights_only(url, model_dir=None, map_location=None, progress=True):
    """mmengine's ``load_url``: download once into torch's hub cache, then
    :func:`safe_load`."""
    model_dir = model_dir or osp.join(torch.hub.get_dir(), 'checkpoints')
    cached = osp.join(model_dir, osp.basename(urlparse(url).path))
    if not osp.isfile(cached):
        os.makedirs(model_dir, exist_ok=True)
        torch.hub.download_url_to_file(url, cached, progress=progress)
    return safe_load(cached, map_location)


def register_weights_only_loaders():
    """Route mmengine's checkpoint loads through :func:`safe_load` (item 3 of
    the module docstring): the local scheme of ``CheckpointLoader``, and
    ``load_url``, which every URL scheme (http(s), and ``torchvision://``,
    ``open-mmlab://``, ``mmcls://`` through ``load_from_http``) ends in."""
    from mmengine.runner import checkpoint
    checkpoint.CheckpointLoader.register_scheme('', load_from_local_weights_only, force=True)
    checkpoint.load_url = load_url_weights_only
