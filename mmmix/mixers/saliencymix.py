"""SaliencyMix (Uddin et al., "SaliencyMix: A Saliency Guided Data Augmentation
Strategy for Better Regularization", ICLR 2021, arXiv:2006.01791).

The saliency is the static spectral-residual saliency of Hou & Zhang
("Saliency Detection: A Spectral Residual Approach", CVPR 2007), computed in
torch for the whole batch (the reference uses OpenCV on one image).
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import ConfigError, check_range
from .base import BaseMixer, MixResult, box_lam, rand_boxes, same_everywhere
from .cutmix import paste_boxes


def _gaussian_kernel(size: int, sigma: float, device) -> Tensor:
    t = torch.arange(size, device=device, dtype=torch.float32) - (size - 1) / 2
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    return k / k.sum()


def spectral_residual_saliency(images: Tensor, size: int = 64) -> Tensor:
    """Spectral-residual saliency maps ``[N, size, size]`` (float32, on the
    device of ``images`` ``[N,C,H,W]``), each normalised to ``[0, 1]``.

    Grey image resized to ``size x size``; log-amplitude spectrum minus its
    3x3 local mean (the spectral residual) recombined with the phase; squared
    magnitude of the inverse FFT, smoothed with a Gaussian (5x5, sigma 8, as
    OpenCV's ``StaticSaliencySpectralResidual``).
    """
    grey = images.float().mean(1, keepdim=True)
    grey = F.interpolate(grey, size=(size, size), mode='bilinear', align_corners=False)
    spec = torch.fft.fft2(grey)
    log_amp = torch.log(spec.abs().clamp(min=1e-8))
    local = F.avg_pool2d(F.pad(log_amp, (1, 1, 1, 1), mode='reflect'), 3, stride=1)
    recombined = torch.polar(torch.exp(log_amp - local), spec.angle())
    sal = torch.fft.ifft2(recombined).abs() ** 2
    k = _gaussian_kernel(5, 8., images.device)
    sal = F.pad(sal, (2, 2, 2, 2), mode='reflect')
    sal = F.conv2d(F.conv2d(sal, k.view(1, 1, 1, 5)), k.view(1, 1, 5, 1)).squeeze(1)
    lo = sal.amin((1, 2), keepdim=True)
    hi = sal.amax((1, 2), keepdim=True)
    return (sal - lo) / (hi - lo).clamp(min=1e-12)


def saliency_peaks(images: Tensor, size: int = 64) -> Tensor:
    """Pixel coordinates ``(cy, cx)`` ``[N,2]`` (long, CPU) of each image's
    saliency maximum, mapped back to the image size."""
    h, w = images.shape[-2:]
    sal = spectral_residual_saliency(images, size)
    flat = sal.flatten(1).argmax(1).cpu()
    py, px = flat // size, flat % size
    cy = ((py.double() + 0.5) * h / size).long().clamp(0, h - 1)
    cx = ((px.double() + 0.5) * w / size).long().clamp(0, w - 1)
    return torch.stack([cy, cx], 1)


@BATCH_AUGMENTS.register_module()
class SaliencyMix(BaseMixer):
    """CutMix whose box is centred on the most salient point of the partner.

    For every sample ``i`` the box of area ``(1 - lam) * H * W`` is centred on
    the spectral-residual saliency peak of its own partner ``x[index[i]]``
    (the source of the pasted patch), clipped to the image, and the partner's
    box region is pasted at the same place. The returned ``lam`` is recomputed
    from the clipped box, so it equals the mask mean. The reference code used
    one image's box for the whole batch; here each sample has its own box, even
    with ``lam_mode='batch'`` (which shares only ``lam``).

    Args:
        alpha (float): Beta parameter (reference configs: 0.2 on CIFAR, 1 on ImageNet).
        saliency_size (int): side of the grid the saliency is computed on.
            Default 64 (as OpenCV).
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = SaliencyMix(alpha=0.2)
        >>> result = mixer.sample(torch.rand(4, 3, 32, 32), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='SaliencyMix', alpha=0.2)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.SaliencyMix', alpha=0.2)])
    """

    def __init__(self, alpha: float = 1.0, saliency_size: int = 64, lam_mode: str = 'batch',
                 dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        check_range('saliency_size', saliency_size, low=4, owner='SaliencyMix')
        if isinstance(saliency_size, bool) or not float(saliency_size).is_integer():
            raise ConfigError(f'SaliencyMix: saliency_size={saliency_size!r} must be an integer')
        self.saliency_size = int(saliency_size)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, **context) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        if self.lam_mode == 'batch' and same_everywhere(lam):
            lam = lam[:1].expand(n)
        # each sample's box is centred on the saliency peak of its own partner
        if source is None:
            centers = saliency_peaks(inputs, self.saliency_size)[index.cpu()]
        else:  # gathered batch: only the partners of this rank's samples
            centers = saliency_peaks(source.index_select(0, index.to(source.device)),
                                     self.saliency_size)
        boxes = rand_boxes(lam, h, w, generator, centers=centers)
        mixed, mask = paste_boxes(inputs, index, boxes, source, with_mask)
        return self._result(mixed, index, box_lam(boxes, h, w), mask)
