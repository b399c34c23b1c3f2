"""GridMix (Baek et al., "GridMix: Strong regularization through local context
mapping", Pattern Recognition 109, 2021)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from .base import (BaseMixer, MixResult, blend, check_pair, partners, place_boxes, rank_mask,
                   same_everywhere, uniform)


@BATCH_AUGMENTS.register_module()
class GridMix(BaseMixer):
    """Replace a random set of grid cells of ``x`` by the partner's cells.

    Per mask: a cut region covering ``cut_area_ratio`` of the image with
    aspect ratio (width / height) ``cut_aspect_ratio`` is placed at random and
    divided into an ``n x n`` grid, ``n`` drawn from ``n_holes`` (holes per
    side). The holes are the cells taken from the partner: as many cells (at
    random) as bring the partner's share closest to the requested
    ``1 - lam``. The returned ``lam`` is the mean of the realised mask (a
    small region cannot hold a large partner share).

    ``lam_mode='batch'`` shares one grid across the batch; ``'elem'`` draws one
    per sample, vectorised (cell ids are computed per pixel and the chosen
    cells gathered).

    Args:
        alpha (float): Beta parameter.
        n_holes (int | tuple[int]): ``(min, max)`` cells per side. Default ``(2, 6)``.
        cut_area_ratio (float | tuple[float]): ``(min, max)`` area of the cut
            region as a share of the image, in ``(0, 1]``. Default ``(0.5, 1)``.
        cut_aspect_ratio (float | tuple[float]): ``(min, max)`` width / height
            of the cut region. Default ``(0.5, 2)``.
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = GridMix(alpha=1.0, n_holes=(2, 6), lam_mode='elem')
        >>> result = mixer.sample(torch.rand(4, 3, 32, 32), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='GridMix', alpha=1.0)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.GridMix', alpha=1.0, n_holes=(2, 6))])
    """

    def __init__(self, alpha: float = 1.0, n_holes=(2, 6), cut_area_ratio=(0.5, 1.0),
                 cut_aspect_ratio=(0.5, 2.0), lam_mode: str = 'batch', dist_mode: str = 'local',
                 seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        self.n_holes = check_pair('n_holes', n_holes, 1, 64, owner='GridMix', integer=True)
        self.cut_area_ratio = check_pair('cut_area_ratio', cut_area_ratio, 0, 1, owner='GridMix',
                                         low_inclusive=False)
        self.cut_aspect_ratio = check_pair('cut_aspect_ratio', cut_aspect_ratio, 0, None,
                                           owner='GridMix', low_inclusive=False)

    def masks(self, lam: Tensor, h: int, w: int, generator=None) -> Tensor:
        """Binary masks ``[M,1,h,w]`` (bool, CPU, True keeps ``x``), one per ``lam``."""
        m = lam.numel()
        lo, hi = self.n_holes
        nh = torch.randint(lo, hi + 1, (m,), generator=generator)
        area = uniform(*self.cut_area_ratio, m, generator) * (h * w)
        aspect = uniform(*self.cut_aspect_ratio, m, generator)
        cut_h = torch.sqrt(area / aspect).round().long().clamp(1, h)
        cut_w = torch.sqrt(area * aspect).round().long().clamp(1, w)
        boxes = place_boxes(cut_h, cut_w, h, w, generator)
        # number of holes that brings the partner share closest to 1 - lam
        cells = nh * nh
        want = (1. - lam.double().clamp(0, 1)) * (h * w) * cells / (cut_h * cut_w).double()
        k = torch.minimum(want.round().long(), cells)
        scores = torch.rand(m, hi * hi, generator=generator)
        scores[torch.arange(hi * hi) >= cells[:, None]] = -1.  # cells beyond n x n
        holes = rank_mask(scores, k)                                       # [M, hi*hi]
        # cell id of every pixel inside the region (row-major in the n x n grid)
        ys = torch.arange(h).view(1, h) - boxes[:, :1]
        xs = torch.arange(w).view(1, w) - boxes[:, 2:3]
        iny = (ys >= 0) & (ys < cut_h[:, None])
        inx = (xs >= 0) & (xs < cut_w[:, None])
        cy = (ys.clamp(min=0) * nh[:, None]).div(cut_h[:, None], rounding_mode='floor')
        cx = (xs.clamp(min=0) * nh[:, None]).div(cut_w[:, None], rounding_mode='floor')
        cy = torch.minimum(cy, nh[:, None] - 1)
        cx = torch.minimum(cx, nh[:, None] - 1)
        cell = cy[:, :, None] * nh[:, None, None] + cx[:, None, :]         # [M,h,w]
        hole = holes.gather(1, cell.view(m, -1)).view(m, h, w)
        hole &= iny[:, :, None] & inx[:, None, :]
        return (~hole).unsqueeze(1)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        shared = self.lam_mode == 'batch' and same_everywhere(lam)
        keep = self.masks(lam[:1] if shared else lam, h, w, generator)
        lam = (keep.view(keep.shape[0], -1).sum(1).double() / (h * w)).float().expand(n).clone()
        keep = keep.to(inputs.device)
        mixed = blend(inputs, partners(inputs, index, source), keep)
        mask = keep.expand(n, 1, h, w).float() if with_mask else None
        return self._result(mixed, index, lam, mask)
