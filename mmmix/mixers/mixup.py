"""Mixup (Zhang et al., ICLR 2018, arXiv:1710.09412)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from .base import BaseMixer, MixResult, blend, lam_view, partners, same_everywhere


@BATCH_AUGMENTS.register_module()
class Mixup(BaseMixer):
    """Pixel-wise convex combination ``lam * x + (1 - lam) * x[index]``.

    Example:
        >>> mixer = Mixup(alpha=0.2)
        >>> result = mixer.sample(torch.rand(8, 3, 32, 32))
        >>> result.lam.shape, result.index.shape
        (torch.Size([8]), torch.Size([8]))

    In a stock mmpretrain config::

        train_cfg = dict(augments=[dict(type='mmmix.Mixup', alpha=0.2)])
    """
    has_mask = False

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        x_b = partners(inputs, index, source)
        # one fused pass over a buffer we own: lerp(x_b, x, lam)
        weight = float(lam[0]) if same_everywhere(lam) else lam_view(lam, inputs)
        mixed = x_b.lerp_(inputs, weight) if isinstance(weight, float) else blend(inputs, x_b, weight)
        return self._result(mixed, index, lam)
