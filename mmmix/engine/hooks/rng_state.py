"""Random number generators in checkpoints, restored on resume.

A resumed run otherwise restarts every generator from its seed: the global
ones (python ``random``, numpy, torch CPU and the current CUDA device) and the
model's private ones (mixers built with ``seed=``, ``mix_seed``), so it draws
other augmentations, ``lam`` and partners than the uninterrupted run.
:class:`RNGStateHook` saves them in ``checkpoint['rng_state']`` (tensors and
plain python values: loadable with ``weights_only=True``) and restores them
when training resumes from that checkpoint.

Distributed runs: rank 0 writes the checkpoint (``Runner.save_checkpoint``
runs there only), so its states are restored on every rank: exact while the
ranks, seeded alike (mmengine's default), draw alike. With
``randomness.diff_rank_seed=True`` the other ranks keep their fresh seeds for
the global generators.

Validation leaves the global generators as it found them, so the training
draws do not depend on whether (or how often) it ran: a checkpoint is written
before the validation of its iteration, which the resumed run does not repeat.

Not covered: DataLoader workers (``num_workers > 0``) seed their own
generators each time they start (mmengine's ``worker_init_fn``), so after a
resume the workers' augmentations restart from those seeds; a resumed run
repeats the uninterrupted one exactly with ``num_workers=0`` only.
"""
import logging
import random
from typing import Dict, Optional

import numpy as np
import torch
from mmengine import dist
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmmix.mixers.base import BaseMixer
from mmmix.registry import HOOKS

#: the checkpoint key of the saved states
CHECKPOINT_KEY = 'rng_state'


def global_rng_state() -> dict:
    """The global generators' states as tensors and plain python values."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(python=random.getstate(), torch=torch.get_rng_state(),
                 numpy=dict(kind=kind, keys=torch.from_numpy(keys.astype(np.int64)), pos=int(pos),
                            has_gauss=int(has_gauss), cached_gaussian=float(cached)))
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state()
    return state


def set_global_rng_state(state: dict) -> None:
    """Restore a :func:`global_rng_state` result (tensors may sit on a GPU)."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    npy = state['numpy']
    np.random.set_state((npy['kind'], npy['keys'].cpu().numpy().astype(np.uint32), npy['pos'],
                         npy['has_gauss'], npy['cached_gaussian']))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'].cpu())


def model_generators(model) -> Dict[str, object]:
    """``name -> holder`` of the model's private generators: every mixer
    (:class:`~mmmix.mixers.BaseMixer`) and ``torch.Generator`` that one of its
    modules holds, directly or in a list/tuple (``mixers.0``, ``_mix_gen``)."""
    if is_model_wrapper(model):
        model = model.module
    found = {}
    for prefix, module in model.named_modules():
        for attr, value in vars(module).items():
            items = enumerate(value) if isinstance(value, (list, tuple)) else [(None, value)]
            for i, item in items:
                if isinstance(item, (BaseMixer, torch.Generator)):
                    parts = (prefix, attr) if i is None else (prefix, attr, str(i))
                    found['.'.join(p for p in parts if p)] = item
    return found


def _get(holder):
    return holder.get_rng_state() if isinstance(holder, BaseMixer) else holder.get_state()


def _set(holder, state) -> None:
    if isinstance(holder, BaseMixer):
        holder.set_rng_state(state)
    else:
        holder.set_state(state.cpu())


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Save the global and the model's generators in every checkpoint and
    restore them when training resumes from it (see the module docstring).

    Loading a checkpoint's weights (``load_from``) restores nothing; a
    checkpoint without states (older mmmix) only gets a warning.
    """
    priority = 'LOWEST'  # restore after the other hooks' before_train

    def __init__(self):
        self._loaded: Optional[tuple] = None  # (iter, states) of the last checkpoint loaded
        self._paused: Optional[dict] = None  # the global states while validation runs

    def rng_state(self, runner) -> dict:
        """This process's states (the global ones as validation found them)."""
        model = {name: _get(h) for name, h in model_generators(runner.model).items()}
        return dict(model=model, **(self._paused or global_rng_state()))

    def load_rng_state(self, runner, state: dict, with_global: bool = True) -> None:
        """Restore a :meth:`rng_state` result; a generator the model and the
        checkpoint do not share gets a warning naming it."""
        if with_global:
            set_global_rng_state(state)
        holders, saved = model_generators(runner.model), state.get('model', {})
        unmatched = sorted(set(holders) ^ set(saved))
        for name in sorted(set(holders) & set(saved)):
            try:
                _set(holders[name], saved[name])
            except (ValueError, RuntimeError) as e:
                unmatched.append(f'{name} ({e})')
        if unmatched:
            print_log(f'{type(self).__name__}: generators not restored (model and checkpoint '
                      f'differ): {unmatched}', logger='current', level=logging.WARNING)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # Runner.save_checkpoint runs on rank 0 only: no collective here
        checkpoint[CHECKPOINT_KEY] = self.rng_state(runner)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = (checkpoint.get('meta', {}).get('iter'), checkpoint.get(CHECKPOINT_KEY))

    def before_train(self, runner) -> None:
        # here, not in after_load_checkpoint: Runner.resume may reseed after loading
        loaded, self._loaded = self._loaded, None
        if loaded is None or runner.iter == 0 or loaded[0] != runner.iter:
            return  # not resuming from the loaded checkpoint (load_from, or none)
        if not loaded[1]:
            print_log(f'{type(self).__name__}: the checkpoint has no {CHECKPOINT_KEY!r}; the '
                      'generators restart from their seeds', logger='current',
                      level=logging.WARNING)
            return
        # rank 0's global states fit every rank seeded alike (mmengine's default)
        randomness = runner.cfg.get('randomness') or {}
        self.load_rng_state(runner, loaded[1], with_global=dist.get_rank() == 0
                            or not randomness.get('diff_rank_seed', False))

    def before_val(self, runner) -> None:
        self._paused = global_rng_state()

    def after_val(self, runner) -> None:
        paused, self._paused = self._paused, None
        if paused is not None:
            set_global_rng_state(paused)


__all__ = ['RNGStateHook', 'global_rng_state', 'set_global_rng_state', 'model_generators',
           'CHECKPOINT_KEY']
