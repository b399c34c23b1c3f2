"""Fit a config's epoch-based training schedule to another number of epochs.

Used by the tools that shorten a recipe (``tools/demo.py --epochs N``,
``tools/demo_transfer.py --pretrain-epochs N``): setting ``train_cfg.max_epochs``
alone keeps the parameter schedulers of the full-length recipe, so a 2-epoch run of
a 30-epoch cosine recipe would stay near the peak learning rate throughout.
"""
from typing import Optional

_INF_END = float('inf')


def _scaled(value, ratio: float, to_int: bool):
    out = value * ratio
    if to_int:
        return max(1, int(round(out)))
    return int(out) if float(out).is_integer() else out


def rescale_schedule(cfg, max_epochs: int, old_epochs: Optional[int] = None) -> None:
    """Set ``cfg.train_cfg.max_epochs = max_epochs`` and scale every epoch-based
    parameter scheduler by ``max_epochs / old_epochs`` (``old_epochs`` defaults to the
    config's ``train_cfg.max_epochs``), in place.

    Scaled keys: ``begin``, ``end``, ``T_max``, ``step_size`` and ``milestones``. A
    warm-up therefore keeps its share of the run, and the main schedule ends where
    training ends.
    ``convert_to_iter_based`` schedulers keep fractional epochs, because mmengine
    turns them into iterations. Other epoch schedulers are rounded to whole
    epochs, at least 1. A scheduler that becomes empty (``begin >= end``) is dropped.
    A scaled warm-up can be shorter than one epoch; mmengine refuses a converted
    phase of less than one iteration, so shrinking a 30-epoch recipe to 1 epoch needs
    at least 30 iterations per epoch.
    Iteration-based schedulers (``by_epoch=False``) are left as they are.

    Raises ``ValueError`` naming the key for a non-positive ``max_epochs`` or a
    config without ``train_cfg.max_epochs``.
    """
    if isinstance(max_epochs, bool) or not isinstance(max_epochs, int) or max_epochs < 1:
        raise ValueError(f'max_epochs={max_epochs!r} must be a positive integer')
    train_cfg = cfg.get('train_cfg') or {}
    old = old_epochs if old_epochs is not None else train_cfg.get('max_epochs')
    if not old:
        raise ValueError('train_cfg.max_epochs is not set: the config has no epoch schedule '
                         f'to rescale to {max_epochs} epochs')
    cfg.train_cfg.max_epochs = max_epochs
    scheds = cfg.get('param_scheduler')
    if not scheds:
        return
    single = isinstance(scheds, dict)
    ratio = max_epochs / old
    kept = []
    for sched in ([scheds] if single else scheds):
        if not sched.get('by_epoch', True):
            kept.append(sched)
            continue
        to_int = not sched.get('convert_to_iter_based', False)
        begin = _scaled(sched.get('begin', 0), ratio, to_int) if sched.get('begin') else 0
        end = sched.get('end', _INF_END)
        end = max_epochs if end >= old else min(_scaled(end, ratio, to_int), max_epochs)
        if begin >= end:
            continue
        if 'begin' in sched:
            sched['begin'] = begin
        if 'end' in sched:
            sched['end'] = end
        for key in ('T_max', 'step_size'):
            if sched.get(key) is not None:
                sched[key] = _scaled(sched[key], ratio, to_int)
        if sched.get('milestones'):
            sched['milestones'] = sorted({_scaled(m, ratio, to_int)
                                          for m in sched['milestones']})
        kept.append(sched)
    cfg.param_scheduler = kept[0] if single and kept else kept
