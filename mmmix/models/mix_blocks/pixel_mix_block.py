"""AutoMix's Mix Block (Liu et al., "AutoMix: Unveiling the Power of Mixup for
Stronger Classifiers", ECCV 2022, arXiv:2103.13027), with the optional SAMix
extras (Li et al., "Boosting Discriminative Visual Representation Learning with
Scenario-Agnostic Mixup", arXiv:2111.15454): a non-linear value neck and
multiplying the features by their share.
"""
import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from torch import Tensor, nn

from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, StrictKwargs, check_range

UPSAMPLE_MODES = ('nearest', 'bilinear', 'bicubic')
#: finite stand-in for +-inf attention logits (softmax of these stays finite)
_LOGIT_LIMIT = 1e4


def mask_lam_loss(mask: Tensor, lam: Tensor, gamma: float, eps: float) -> Tensor:
    """AutoMix's ``l_lam``: ``gamma * max(|lam - mean(m)| - eps, 0)`` per
    sample, averaged over the batch. ``mask`` ``[N,1,H,W]`` is the weight of
    ``x`` (its mean should be ``lam``), ``lam`` ``[N]``."""
    share = mask.float().flatten(1).mean(1)
    lam = lam.to(share.device, share.dtype).view(-1)
    return gamma * F.relu((share - lam).abs() - eps).mean()


@MODELS.register_module()
class PixelMixBlock(StrictKwargs, BaseModule):
    """Learns a pixel mask for a pair from their features.

    For features ``z`` ``[N,C,h,w]`` of the batch, the partner index ``index``
    and the shares ``lam`` ``[N]``:

    1. ``a = z``, ``b = z[index]``; with ``lam_mul`` (SAMix) ``a *= lam``,
       ``b *= 1 - lam``; with ``lam_embed`` a constant channel ``lam`` is
       concatenated to ``a`` and ``1 - lam`` to ``b``;
    2. 1x1 projections: query ``q = W_q a``, key ``k = W_k b`` (``W_k = W_q``
       unless ``separate_key``) with ``C'/reduction`` channels, and a
       one-channel value ``v = W_v b`` of the partner, the side the keys come
       from (a 1x1 conv, or with ``value_neck`` (SAMix) conv-BN-ReLU-conv);
    3. ``P = softmax(q^T k / sqrt(d))`` ``[N, hw, hw]`` and ``u = P v``, in
       fp32 (autocast off) with non-finite logits replaced by finite ones:
       position ``i`` of ``x`` gathers the values of the partner positions its
       query matches;
    4. ``u`` is upsampled to the image size (``nearest``/``bilinear``/
       ``bicubic``, the mode chosen per call); ``sigmoid(u)`` is the partner's
       pixel weight.

    With ``lam_anchor`` (an mmmix option, off by default) ``u`` is centred per
    sample and shifted by the partner's log-odds before the sigmoid,
    ``u <- u - mean(u) + log((1 - lam) / lam)``: a spatially flat ``u`` then
    gives exactly ``m = lam``, and the block learns only where the two images
    show, not how much of each. Without it, the mask's mean is learned (pulled
    towards ``lam`` by ``l_lam``) and a noisy objective can drive the sigmoid
    into saturation, where no gradient, ``l_lam``'s included, can bring it back
    (the all-``x`` collapse seen on the synthetic data, docs/automix.md).

    The result ``m = 1 - sigmoid(u)`` ``[N,1,H,W]`` in ``[0,1]`` is the pixel
    weight of ``x`` (class ``y_a``); the partner gets ``1 - m``, so the two
    masks sum to 1.
    Convs are initialised from ``normal(0, 0.01)`` with zero bias.

    Args:
        in_channels (int): channels of the feature stage that feeds the block.
        reduction (int): query/key width is ``in_channels' // reduction``.
        lam_embed (bool): concatenate the share channel (AutoMix ImageNet
            setting; off in the CIFAR configs).
        separate_key (bool): a key projection of its own instead of sharing
            the query's.
        upsample_modes (str | list[str]): modes drawn from per iteration.
        lam_mul (bool): SAMix: scale ``a`` by ``lam`` and ``b`` by ``1 - lam``.
        value_neck (bool): SAMix: non-linear value (conv-BN-ReLU-conv).
        init_std (float): std of the normal initialisation.
        lam_anchor (bool): pin the mask's log-odds mean to ``lam`` (above).
    """

    def __init__(self, in_channels: int, reduction: int = 2, lam_embed: bool = False,
                 separate_key: bool = False, upsample_modes: Sequence[str] = ('nearest', ),
                 lam_mul: bool = False, value_neck: bool = False, init_std: float = 0.01,
                 lam_anchor: bool = False, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        name = type(self).__name__
        check_range('in_channels', in_channels, low=1, owner=name)
        check_range('reduction', reduction, low=1, owner=name)
        check_range('init_std', init_std, low=0, low_inclusive=False, owner=name)
        modes = [upsample_modes] if isinstance(upsample_modes, str) else list(upsample_modes)
        if not modes:
            raise ConfigError(f'{name}: upsample_modes must not be empty; valid choices are '
                              f'{list(UPSAMPLE_MODES)}')
        for mode in modes:
            if mode not in UPSAMPLE_MODES:
                raise ConfigError(f'{name}: unknown upsample mode {mode!r} in upsample_modes='
                                  f'{modes}; valid choices are {list(UPSAMPLE_MODES)}')
        self.in_channels = int(in_channels)
        self.lam_embed, self.lam_mul = bool(lam_embed), bool(lam_mul)
        self.lam_anchor = bool(lam_anchor)
        self.upsample_modes = modes
        self.init_std = float(init_std)
        channels = self.in_channels + (1 if self.lam_embed else 0)
        self.inter_channels = max(channels // int(reduction), 1)
        self.query = nn.Conv2d(channels, self.inter_channels, 1)
        self.key = nn.Conv2d(channels, self.inter_channels, 1) if separate_key else None
        if value_neck:
            self.value = nn.Sequential(
                nn.Conv2d(channels, self.inter_channels, 1),
                nn.BatchNorm2d(self.inter_channels), nn.ReLU(inplace=True),
                nn.Conv2d(self.inter_channels, 1, 1))
        else:
            self.value = nn.Conv2d(channels, 1, 1)
        self.reset_parameters()

    def reset_parameters(self):
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.normal_(m.weight, 0., self.init_std)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def init_weights(self):
        super().init_weights()
        if not self.init_cfg:
            self.reset_parameters()

    def pick_mode(self, generator: Optional[torch.Generator] = None) -> str:
        """One of ``upsample_modes``, drawn uniformly."""
        if len(self.upsample_modes) == 1:
            return self.upsample_modes[0]
        return self.upsample_modes[int(torch.randint(len(self.upsample_modes), (1, ),
                                                     generator=generator))]

    def _sides(self, feats: Tensor, lam: Tensor, index: Tensor):
        n, _, h, w = feats.shape
        a, b = feats, feats.index_select(0, index.to(feats.device))
        lam = lam.to(feats.device, feats.dtype).view(n, 1, 1, 1)
        if self.lam_mul:
            a, b = a * lam, b * (1 - lam)
        if self.lam_embed:
            a = torch.cat([a, lam.expand(n, 1, h, w)], 1)
            b = torch.cat([b, (1 - lam).expand(n, 1, h, w)], 1)
        return a, b

    def forward(self, feats: Tensor, lam: Tensor, index: Tensor, size: Sequence[int],
                mode: Optional[str] = None) -> Tensor:
        """Mask ``[N,1,*size]`` (fp32, in ``[0,1]``): the pixel weight of ``x``.

        Args:
            feats: features ``[N,C,h,w]`` of the batch (the teacher's stage).
            lam: requested share of ``x`` per sample ``[N]`` (or a scalar).
            index: partner index ``[N]``.
            size: image size ``(H, W)`` to upsample to.
            mode: upsampling mode; default: drawn from ``upsample_modes``.
        """
        if feats.dim() != 4 or feats.shape[1] != self.in_channels:
            raise ValueError(f'{type(self).__name__}: expected features [N,{self.in_channels},'
                             f'h,w], got {tuple(feats.shape)}')
        n, _, h, w = feats.shape
        lam = torch.as_tensor(lam, dtype=torch.float32).reshape(-1).expand(n)
        mode = self.pick_mode() if mode is None else mode
        if mode not in UPSAMPLE_MODES:
            raise ValueError(f'unknown upsample mode {mode!r}; valid: {list(UPSAMPLE_MODES)}')
        a, b = self._sides(feats, lam, index)
        q = self.query(a).flatten(2)
        k = (self.query if self.key is None else self.key)(b).flatten(2)
        v = self.value(b).flatten(2)  # keys and values both come from the partner
        with torch.autocast(device_type=feats.device.type, enabled=False):
            logits = torch.bmm(q.float().transpose(1, 2), k.float()) / math.sqrt(q.shape[1])
            logits = torch.nan_to_num(logits, nan=0., posinf=_LOGIT_LIMIT, neginf=-_LOGIT_LIMIT)
            attn = logits.softmax(dim=-1)
            m = torch.bmm(attn, v.float().transpose(1, 2)).transpose(1, 2).reshape(n, 1, h, w)
            m = torch.nan_to_num(m, nan=0., posinf=_LOGIT_LIMIT, neginf=-_LOGIT_LIMIT)
            if self.lam_anchor:
                share = lam.to(m.device, m.dtype).clamp(1e-4, 1 - 1e-4).view(n, 1, 1, 1)
                m = m - m.mean((2, 3), keepdim=True) + torch.log((1 - share) / share)
            align = None if mode == 'nearest' else False
            m = F.interpolate(m, size=tuple(size), mode=mode, align_corners=align)
            return torch.sigmoid(-m)  # 1 - sigmoid(u): the weight of x
