"""FMix (Harris et al., "FMix: Enhancing Mixed Sample Data Augmentation",
arXiv:2002.12047)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import check_range
from .base import BaseMixer, MixResult, blend_inplace, partners, rank_mask, same_everywhere


def fourier_noise(m: int, h: int, w: int, decay_power: float = 3.,
                  generator: Optional[torch.Generator] = None) -> Tensor:
    """``m`` low-frequency grey images ``[m, h, w]`` (CPU float32): complex
    Gaussian noise in the Fourier domain, attenuated by ``1 / f^decay_power``
    (``f`` in cycles per pixel, floored at ``1 / max(h, w)``), transformed back.
    """
    fy = torch.fft.fftfreq(h, dtype=torch.float64).view(h, 1)
    fx = torch.fft.rfftfreq(w, dtype=torch.float64).view(1, -1)
    freq = torch.sqrt(fy ** 2 + fx ** 2).clamp(min=1. / max(h, w))
    scale = (freq ** -decay_power).float()
    spec = torch.randn(m, h, fx.shape[1], 2, generator=generator) * scale[..., None]
    return torch.fft.irfft2(torch.view_as_complex(spec), s=(h, w))


def fmix_masks(lam: Tensor, h: int, w: int, decay_power: float = 3.,
               generator: Optional[torch.Generator] = None) -> Tensor:
    """Binary masks ``[M,1,h,w]`` (bool, CPU): each keeps exactly
    ``round(lam[i] * h * w)`` pixels, the highest values of its Fourier noise."""
    m = lam.numel()
    noise = fourier_noise(m, h, w, decay_power, generator).view(m, h * w)
    k = torch.round(lam.double().clamp(0, 1) * (h * w)).long()
    return rank_mask(noise, k).view(m, 1, h, w)


@BATCH_AUGMENTS.register_module()
class FMix(BaseMixer):
    """Mix with a binary mask cut from low-frequency Fourier noise.

    A random image whose spectrum decays as ``1 / f^decay_power`` is
    thresholded so that exactly ``round(lam * H * W)`` pixels (its largest
    values) keep ``x``; the rest come from the partner. The mask is drawn at
    the size of the input (no fixed ``size`` option), and the returned ``lam``
    is the realised share ``k / (H * W)``.

    ``lam_mode='batch'`` shares one mask across the batch; ``'elem'`` draws one
    mask per sample (all at once: one batched inverse FFT and one sort).

    Args:
        alpha (float): Beta parameter (reference configs: 0.2 on CIFAR, 1 on ImageNet).
        decay_power (float): spectral decay exponent; larger gives blobbier
            masks. Default 3 (the paper's choice).
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = FMix(alpha=0.2, lam_mode='elem', seed=0)
        >>> result = mixer.sample(torch.rand(4, 3, 17, 23), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='FMix', alpha=0.2)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.FMix', alpha=0.2, decay_power=3)])
    """

    def __init__(self, alpha: float = 1.0, decay_power: float = 3., lam_mode: str = 'batch',
                 dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        check_range('decay_power', decay_power, low=0, low_inclusive=False, owner='FMix')
        self.decay_power = float(decay_power)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        shared = self.lam_mode == 'batch' and same_everywhere(lam)
        keep = fmix_masks(lam[:1] if shared else lam, h, w, self.decay_power, generator)
        lam = (keep.view(keep.shape[0], -1).sum(1).double() / (h * w)).float().expand(n).clone()
        keep = keep.to(inputs.device)
        mixed = blend_inplace(inputs, partners(inputs, index, source, reuse=True), keep)
        mask = keep.expand(n, 1, h, w).float() if with_mask else None
        return self._result(mixed, index, lam, mask)
