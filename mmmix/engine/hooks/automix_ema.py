"""AutoMix's momentum teacher: an EMA copy with a warm-up + cosine momentum.

Conventions: the *teacher momentum* ``m`` here is the paper's (and MoCo's):
``teacher = m * teacher + (1 - m) * student``, e.g. 0.999. mmengine's
:class:`~mmengine.model.ExponentialMovingAverage` (and mmpretrain's
``CosineEMA``) use the inverse, ``averaged = (1 - mm) * averaged + mm * source``,
so their ``mm = 1 - m`` (0.001 for the paper's 0.999).
:class:`AutoMixEMA` takes the paper's values and converts.
"""
import math
from contextlib import contextmanager
from typing import Optional

import torch
from mmengine import dist
from mmengine.logging import MessageHub
from mmengine.model import ExponentialMovingAverage
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmmix.registry import MODELS
from mmmix.utils.validation import check_range


def automix_momentum(step: int, total: Optional[int], base: float = 0.999,
                     end: float = 0.999999, warmup_ratio: float = 0.1) -> float:
    """Teacher momentum (paper convention) at update ``step`` of ``total``:
    ``base`` for the first ``warmup_ratio`` of the updates, then a cosine from
    ``base`` to ``end`` over the rest. Without ``total`` (no runner): ``base``."""
    if not total or total <= 0:
        return base
    progress = min(max(step / total, 0.), 1.)
    if progress < warmup_ratio:
        return base
    t = (progress - warmup_ratio) / max(1. - warmup_ratio, 1e-12)
    return end - (end - base) * (math.cos(math.pi * t) + 1.) / 2.


@MODELS.register_module()
class AutoMixEMA(ExponentialMovingAverage):
    """EMA teacher with AutoMix's momentum schedule (:func:`automix_momentum`).

    The schedule position is the EMA's own ``steps`` buffer (saved in the
    checkpoint, so resume continues the schedule); the length is ``total_steps``
    or, when None, the runner's ``max_iters`` from the MessageHub.

    With ``update_buffers=False`` (default, as mmengine's ``EMAHook``) the
    teacher's buffers (BN statistics) are copied from the student at every
    update; ``sync_buffers=True`` then averages them over all ranks. The
    teacher's own forward passes run in train mode (batch statistics) inside
    :meth:`frozen_statistics`, which keeps its running statistics where the
    update left them, so every rank's teacher stays the same until the next
    update and at evaluation, even without SyncBN. (The reference never synced
    them, and its teacher's forwards moved them by one local batch each.)

    Args:
        model (nn.Module): the student (parts) to copy and follow.
        momentum (float): base teacher momentum, paper convention (0.999).
        end_momentum (float): final teacher momentum (0.999999 CIFAR/Tiny,
            0.99999 ImageNet).
        warmup_ratio (float): share of the updates at the base momentum.
        total_steps (int, optional): schedule length; default ``max_iters``.
    """

    def __init__(self, model: nn.Module, momentum: float = 0.999,
                 end_momentum: float = 0.999999, warmup_ratio: float = 0.1,
                 total_steps: Optional[int] = None, update_buffers: bool = False,
                 sync_buffers: bool = True, owner: str = 'AutoMixEMA'):
        check_range('momentum', momentum, 0, 1, owner=owner, low_inclusive=False,
                    high_inclusive=False)
        check_range('end_momentum', end_momentum, 0, 1, owner=owner, low_inclusive=False,
                    high_inclusive=False)
        check_range('momentum_warmup', warmup_ratio, 0, 1, owner=owner)
        if total_steps is not None:
            check_range('total_steps', total_steps, 1, owner=owner)
        # mmengine's convention: its momentum is the weight of the *source*
        super().__init__(model, momentum=1. - momentum, interval=1,
                         update_buffers=update_buffers)
        self.base_momentum = float(momentum)
        self.end_momentum = float(end_momentum)
        self.warmup_ratio = float(warmup_ratio)
        self.total_steps = None if total_steps is None else int(total_steps)
        self.sync_buffers = bool(sync_buffers)
        self._current = self.base_momentum

    def schedule_length(self) -> Optional[int]:
        if self.total_steps is not None:
            return self.total_steps
        return MessageHub.get_current_instance().get_info('max_iters')

    def teacher_momentum(self, step: Optional[int] = None) -> float:
        """Teacher momentum (paper convention) at ``step`` (default: now)."""
        step = int(self.steps) if step is None else step
        return automix_momentum(step, self.schedule_length(), self.base_momentum,
                                self.end_momentum, self.warmup_ratio)

    @contextmanager
    def frozen_statistics(self):
        """Within this block the teacher's BN layers normalise with batch
        statistics as usual in train mode, but leave their running statistics
        unchanged (BN momentum 0)."""
        norms = [m for m in self.module.modules() if isinstance(m, _BatchNorm)]
        saved = [m.momentum for m in norms]
        for m in norms:
            m.momentum = 0.
        try:
            yield
        finally:
            for m, momentum in zip(norms, saved):
                m.momentum = momentum

    def avg_func(self, averaged_param: Tensor, source_param: Tensor, steps: int) -> None:
        # teacher = m * teacher + (1 - m) * student
        averaged_param.lerp_(source_param, 1. - self._current)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        self._current = self.teacher_momentum()
        super().update_parameters(model)
        if self.sync_buffers and not self.update_buffers and dist.get_world_size() > 1:
            bufs = [b for b in self.module.buffers() if b.dtype.is_floating_point]
            if bufs:
                flat = torch.cat([b.reshape(-1) for b in bufs])
                dist.all_reduce(flat, op='mean')
                offset = 0
                for b in bufs:
                    b.copy_(flat[offset:offset + b.numel()].view_as(b))
                    offset += b.numel()
