"""ResizeMix (Qin et al., "ResizeMix: Mixing Data with Preserved Object
Information and True Labels", arXiv:2012.11101)."""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import check_choice
from .base import (BaseMixer, MixResult, blend_inplace, box_lam, box_mask, check_pair, needs_grad,
                   partners, place_boxes, same_everywhere)

INTERPOLATIONS = ('bilinear', 'nearest')


def _interp_kwargs(mode: str) -> dict:
    return dict(mode=mode, align_corners=False) if mode != 'nearest' else dict(mode=mode)


@BATCH_AUGMENTS.register_module()
class ResizeMix(BaseMixer):
    """Paste the whole partner image, shrunk by a scale ``s``, at a random
    position of ``x``.

    The partner keeps its full content (no object is cut away), so the label
    share follows the pasted area: ``lam = 1 - s^2``, recomputed from the real
    (integer) box, so the returned ``lam`` equals the mean of the mask.

    Sampling follows the paper: with ``u ~ Beta(alpha, alpha)`` the scale is
    ``s = scope[0] + u * (scope[1] - scope[0])`` (``alpha=1`` gives the paper's
    uniform scale). :meth:`mix` reads a given ``lam`` as the requested share of
    ``x``: ``s = clip(sqrt(1 - lam), *scope)``.

    ``lam_mode='batch'`` uses one scale and one position for the batch: the
    whole batch is shrunk first and only the small result is gathered and
    pasted in place. ``'elem'`` draws a scale and position per sample and
    resamples all partners at once with :func:`torch.nn.functional.grid_sample`
    (identical to ``F.interpolate`` for ``'bilinear'``).

    Args:
        alpha (float): Beta parameter of the scale draw.
        scope (tuple[float]): ``(min, max)`` scale ``s`` of the pasted partner,
            inside ``(0, 1]``. Default ``(0.1, 0.8)``.
        interpolation (str): ``'bilinear'`` (default) or ``'nearest'``.
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = ResizeMix(alpha=1.0, lam_mode='elem')
        >>> result = mixer.sample(torch.rand(4, 3, 32, 32), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='ResizeMix', alpha=1.0)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.ResizeMix', alpha=1.0, scope=(0.1, 0.8))])
    """

    def __init__(self, alpha: float = 1.0, scope=(0.1, 0.8), interpolation: str = 'bilinear',
                 lam_mode: str = 'batch', dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        self.scope = check_pair('scope', scope, 0., 1., owner='ResizeMix', low_inclusive=False)
        self.interpolation = check_choice('interpolation', interpolation, INTERPOLATIONS,
                                          owner='ResizeMix')

    def sample_lam(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """``lam = 1 - s^2`` with ``s`` the Beta draw mapped linearly onto ``scope``."""
        u = super().sample_lam(n, generator)
        lo, hi = self.scope
        return 1. - (lo + (hi - lo) * u) ** 2

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        shared = self.lam_mode == 'batch' and same_everywhere(lam)
        lo, hi = self.scope
        scale = torch.sqrt((1. - lam[:1] if shared else 1. - lam).double().clamp(0, 1))
        scale = scale.clamp(lo, hi)
        cut_h = (scale * h).round().long().clamp(1, h)
        cut_w = (scale * w).round().long().clamp(1, w)
        boxes = place_boxes(cut_h, cut_w, h, w, generator)
        src = inputs if source is None else source
        mask = None
        if shared:
            y1, y2, x1, x2 = (int(v) for v in boxes[0])
            # shrink the whole source batch first, then gather only the small result
            small = F.interpolate(src, size=(y2 - y1, x2 - x1),
                                  **_interp_kwargs(self.interpolation))
            mixed = inputs.clone() if needs_grad(inputs, src) else inputs
            mixed[:, :, y1:y2, x1:x2] = partners(small, index, None, reuse=True)
            if with_mask:
                mask = box_mask(boxes.expand(n, 4), h, w, inputs.device)
        else:
            x_b = partners(inputs, index, source, reuse=True)
            pasted = F.grid_sample(x_b, self._grid(boxes, h, w, x_b.device, x_b.dtype),
                                   mode=self.interpolation, padding_mode='zeros',
                                   align_corners=False)
            mask = box_mask(boxes, h, w, inputs.device)
            mixed = blend_inplace(inputs, pasted, mask)
        return self._result(mixed, index, box_lam(boxes, h, w).expand(n).clone(), mask)

    @staticmethod
    def _grid(boxes: Tensor, h: int, w: int, device, dtype) -> Tensor:
        """Sampling grid ``[N,H,W,2]`` that maps each box onto the whole partner
        (``align_corners=False`` convention, as ``F.interpolate``)."""
        b = boxes.to(device=device, dtype=torch.float32)
        ys = torch.arange(h, device=device, dtype=torch.float32)
        xs = torch.arange(w, device=device, dtype=torch.float32)
        gy = (2 * (ys - b[:, :1]) + 1) / (b[:, 1:2] - b[:, :1]) - 1      # [N,H]
        gx = (2 * (xs - b[:, 2:3]) + 1) / (b[:, 3:4] - b[:, 2:3]) - 1    # [N,W]
        n = b.shape[0]
        grid = torch.stack([gx[:, None, :].expand(n, h, w), gy[:, :, None].expand(n, h, w)], -1)
        return grid.to(dtype)
