"""Mixup (Zhang et al., ICLR 2018, arXiv:1710.09412)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from .base import BaseMixer, MixResult, blend_inplace, lam_view, partners, same_everywhere


@BATCH_AUGMENTS.register_module()
class Mixup(BaseMixer):
    """Pixel-wise convex combination ``lam * x + (1 - lam) * x[index]``.

    The partners are gathered (into a reused scratch buffer on CPU) and
    blended into ``inputs`` in place with one ``lerp_`` (out of place when
    autograd tracks the inputs, e.g. hidden features).

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
        # gather the partners (into a reused buffer on CPU), then one in-place
        # lerp into ``inputs``: two passes over the batch and no fresh allocation
        x_b = partners(inputs, index, source, reuse=True)
        weight = float(lam[0]) if same_everywhere(lam) else lam_view(lam, inputs)
        mixed = blend_inplace(inputs, x_b, weight)
        return self._result(mixed, index, lam)
