"""GridMix (Baek et al., "GridMix: Strong regularization through local context
mapping", Pattern Recognition 109, 2021)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from .base import (BaseMixer, MixResult, blend_inplace, check_pair, partners, rank_mask,
                   same_everywhere, uniform)


@BATCH_AUGMENTS.register_module()
class GridMix(BaseMixer):
    """Swap a random subset of the holes of a regular grid with the partner.

    Per mask: the image is divided into an ``n x n`` grid (``n`` drawn from
    ``n_holes``, holes per side). Every cell holds one rectangular hole that
    covers ``cut_area_ratio`` of the cell with aspect ratio (width / height)
    ``cut_aspect_ratio`` (clipped to the cell), at the same random offset in
    every cell. As many holes (chosen at random) are filled from the partner
    as bring its share closest to the requested ``1 - lam``; the returned
    ``lam`` is the mean of the realised mask (all holes together cover at most
    ``cut_area_ratio`` of the image, which bounds the partner's share).

    ``lam_mode='batch'`` shares one grid across the batch; ``'elem'`` draws one
    per sample, vectorised (each pixel's cell id is computed and the chosen
    holes gathered).

    Args:
        alpha (float): Beta parameter.
        n_holes (int | tuple[int]): ``(min, max)`` grid cells per side. Default ``(2, 6)``.
        cut_area_ratio (float | tuple[float]): ``(min, max)`` share of each
            cell cut out as a hole, in ``(0, 1]``. Default ``(0.5, 1)``.
        cut_aspect_ratio (float | tuple[float]): ``(min, max)`` width / height
            of the holes. Default ``(0.5, 2)``.
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
        n = torch.randint(lo, hi + 1, (m, ), generator=generator)
        area = uniform(*self.cut_area_ratio, m, generator)
        aspect = uniform(*self.cut_aspect_ratio, m, generator)
        hole_h = torch.sqrt(area / aspect).clamp(max=1.)  # share of the cell side
        hole_w = torch.sqrt(area * aspect).clamp(max=1.)
        off_y = torch.rand(m, generator=generator, dtype=torch.float64) * (1 - hole_h)
        off_x = torch.rand(m, generator=generator, dtype=torch.float64) * (1 - hole_w)
        # pixel centres in cell units: integer part = cell, fraction = place in the cell
        uy = (torch.arange(h, dtype=torch.float64) + 0.5).view(1, h) * n.view(m, 1) / h
        ux = (torch.arange(w, dtype=torch.float64) + 0.5).view(1, w) * n.view(m, 1) / w
        fy, fx = uy - uy.floor(), ux - ux.floor()
        in_y = (fy >= off_y[:, None]) & (fy < (off_y + hole_h)[:, None])         # [M,h]
        in_x = (fx >= off_x[:, None]) & (fx < (off_x + hole_w)[:, None])         # [M,w]
        cell = uy.long()[:, :, None] * n.view(m, 1, 1) + ux.long()[:, None, :]  # [M,h,w]
        # how many holes bring the partner share closest to 1 - lam
        cells = n * n
        want = (1. - lam.double().clamp(0, 1)) * cells / (hole_h * hole_w)
        k = torch.minimum(want.round().long(), cells)
        scores = torch.rand(m, hi * hi, generator=generator)
        scores[torch.arange(hi * hi) >= cells[:, None]] = -1.  # cells beyond n x n
        chosen = rank_mask(scores, k)                                           # [M,hi*hi]
        hole = chosen.gather(1, cell.view(m, -1)).view(m, h, w)
        hole &= in_y[:, :, None] & in_x[:, None, :]
        return (~hole).unsqueeze(1)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        shared = self.lam_mode == 'batch' and same_everywhere(lam)
        keep = self.masks(lam[:1] if shared else lam, h, w, generator)
        lam = (keep.view(keep.shape[0], -1).sum(1).double() / (h * w)).float().expand(n).clone()
        keep = keep.to(inputs.device)
        mixed = blend_inplace(inputs, partners(inputs, index, source, reuse=True), keep)
        mask = keep.expand(n, 1, h, w).float() if with_mask else None
        return self._result(mixed, index, lam, mask)
