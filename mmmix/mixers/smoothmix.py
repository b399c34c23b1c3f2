"""SmoothMix (Lee et al., "SmoothMix: a Simple Yet Effective Data Augmentation
to Train Robust Classifiers", CVPR Workshops 2020)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from .base import (BaseMixer, MixResult, blend_inplace, check_pair, partners, same_everywhere,
                   uniform)


@BATCH_AUGMENTS.register_module()
class SmoothMix(BaseMixer):
    """Blend the partner in through a soft Gaussian blob (no sharp edges).

    The partner's weight is ``g(p) = exp(-(dy^2 / (2 sy^2) + dx^2 / (2 sx^2)))``
    around a uniformly random centre; ``x`` keeps ``1 - g``. The blob width is
    ``sy = s * H``, ``sx = s * W`` with ``s`` moving through ``sigma`` as the
    requested partner share grows: ``s = sigma[0] + (1 - lam) * (sigma[1] -
    sigma[0])`` (``alpha=1`` gives the paper's uniform ``s``).

    The returned ``lam`` is the mean weight of ``x``, ``mean(1 - g)``, i.e. the
    share of ``x`` (the reference implementation returns the partner's share,
    which swaps the labels).

    ``lam_mode='batch'`` shares one blob across the batch; ``'elem'`` draws one
    per sample (a separable outer product, no loop).

    Args:
        alpha (float): Beta parameter.
        sigma (tuple[float]): ``(min, max)`` blob width relative to the image
            side. Default ``(0.25, 0.5)`` (the paper's range).
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = SmoothMix(alpha=1.0, lam_mode='elem')
        >>> result = mixer.sample(torch.rand(4, 3, 32, 32), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='SmoothMix', alpha=1.0)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.SmoothMix', alpha=1.0, sigma=(0.25, 0.5))])
    """

    def __init__(self, alpha: float = 1.0, sigma=(0.25, 0.5), lam_mode: str = 'batch',
                 dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        self.sigma = check_pair('sigma', sigma, 0, None, owner='SmoothMix', low_inclusive=False)

    def masks(self, lam: Tensor, h: int, w: int, generator=None, device=None) -> Tensor:
        """Soft masks ``[M,1,h,w]`` (float32 on ``device``): the weight of ``x``."""
        m = lam.numel()
        lo, hi = self.sigma
        s = lo + (1. - lam.double().clamp(0, 1)) * (hi - lo)
        cy = uniform(0, h - 1, m, generator)
        cx = uniform(0, w - 1, m, generator)
        params = torch.stack([cy, cx, s * h, s * w], 1).float().to(device)
        ys = torch.arange(h, device=device, dtype=torch.float32)
        xs = torch.arange(w, device=device, dtype=torch.float32)
        gy = torch.exp(-0.5 * ((ys - params[:, :1]) / params[:, 2:3]) ** 2)   # [M,h]
        gx = torch.exp(-0.5 * ((xs - params[:, 1:2]) / params[:, 3:4]) ** 2)  # [M,w]
        return (1. - gy[:, :, None] * gx[:, None, :]).unsqueeze(1)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        shared = self.lam_mode == 'batch' and same_everywhere(lam)
        keep = self.masks(lam[:1] if shared else lam, h, w, generator, inputs.device)
        # the share of x actually applied (the mask is cast to the input dtype)
        weight = keep.to(inputs.dtype)
        lam = weight.float().mean((1, 2, 3)).cpu().expand(n).clone()
        mixed = blend_inplace(inputs, partners(inputs, index, source, reuse=True), weight)
        mask = weight.float().expand(n, 1, h, w).clone() if with_mask else None
        return self._result(mixed, index, lam, mask)
