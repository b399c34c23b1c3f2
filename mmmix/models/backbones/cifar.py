"""CIFAR-style backbones that mmpretrain 1.2.0 does not ship.

* :class:`ResNeXt_CIFAR`: mmpretrain's ResNeXt blocks on the CIFAR stem of
  ``ResNet_CIFAR`` (3x3 stride-1 conv, no max-pool; stages at 32/16/8/4 px on
  32x32 inputs), as used for the CIFAR-100 ResNeXt-50 (32x4d) rows of the
  mixup benchmarks.
* :class:`WideResNet_CIFAR`: the pre-activation Wide ResNet of Zagoruyko &
  Komodakis (BMVC 2016, arXiv:1605.07146), e.g. WRN-28-8: a 16-channel 3x3
  stem, three groups of ``(depth - 4) / 6`` basic blocks with
  ``16k/32k/64k`` channels at 32/16/8 px, and a final BN-ReLU.
"""
from typing import Sequence

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmpretrain.models.backbones import ResNet_CIFAR, ResNeXt
from mmpretrain.models.backbones.base_backbone import BaseBackbone

from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, StrictKwargs, check_range


@MODELS.register_module()
class ResNeXt_CIFAR(StrictKwargs, ResNeXt, ResNet_CIFAR):
    """ResNeXt with the CIFAR stem. Takes the arguments of
    :class:`mmpretrain.models.ResNeXt` (``depth``, ``groups``,
    ``width_per_group``, ...); e.g. ResNeXt-50 32x4d::

        backbone=dict(type='ResNeXt_CIFAR', depth=50, groups=32, width_per_group=4)
    """


class _PreActBlock(nn.Module):
    """BN-ReLU-conv3x3-BN-ReLU-(dropout)-conv3x3 with a 1x1 projection shortcut
    when the shape changes."""

    def __init__(self, in_channels, out_channels, stride, drop_rate, norm_cfg):
        super().__init__()
        self.bn1 = build_norm_layer(norm_cfg, in_channels)[1]
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn2 = build_norm_layer(norm_cfg, out_channels)[1]
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.drop_rate = drop_rate
        self.shortcut = None
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride, 0, bias=False)

    def forward(self, x):
        act = F.relu(self.bn1(x))
        # the projection sees the activated input, the identity the raw one
        identity = x if self.shortcut is None else self.shortcut(act)
        out = self.conv1(act)
        out = F.relu(self.bn2(out))
        if self.drop_rate > 0:
            out = F.dropout(out, p=self.drop_rate, training=self.training)
        return self.conv2(out) + identity


@MODELS.register_module()
class WideResNet_CIFAR(StrictKwargs, BaseBackbone):
    """Pre-activation Wide ResNet for 32x32 inputs (WRN-``depth``-``widen_factor``).

    Args:
        depth (int): ``6n + 4`` (28 for WRN-28-8).
        widen_factor (int): ``k``; stage widths are ``16k, 32k, 64k``.
        drop_rate (float): dropout between the two convs of a block.
        first_stride (int): stride of the first group (1 for 32 px inputs).
        out_indices (Sequence[int]): stages (0-2) to output; the last stage is
            returned after the final BN-ReLU.
        norm_cfg (dict): normalisation layer config.

    Example::

        backbone=dict(type='WideResNet_CIFAR', depth=28, widen_factor=8, out_indices=(2, ))
    """

    def __init__(self, depth: int = 28, widen_factor: int = 8, drop_rate: float = 0.,
                 first_stride: int = 1, out_indices: Sequence[int] = (2, ),
                 norm_cfg: dict = dict(type='BN'), frozen_stages: int = -1,
                 norm_eval: bool = False,
                 init_cfg=(dict(type='Kaiming', layer=['Conv2d']),
                           dict(type='Constant', val=1, layer=['_BatchNorm']))):
        super().__init__(init_cfg=list(init_cfg) if init_cfg is not None else None)
        if depth < 10 or (depth - 4) % 6 != 0:
            raise ConfigError(f'WideResNet_CIFAR: depth={depth} must be 6n+4 (e.g. 16, 22, 28, 40)')
        check_range('widen_factor', widen_factor, low=1, owner='WideResNet_CIFAR')
        if not 0 <= drop_rate < 1:
            raise ConfigError(f'WideResNet_CIFAR: drop_rate={drop_rate} must be in [0, 1)')
        out_indices = tuple(out_indices)
        if not out_indices or any(i not in (0, 1, 2) for i in out_indices):
            raise ConfigError(
                f'WideResNet_CIFAR: out_indices={out_indices} must be stages in (0, 1, 2)')
        n = (depth - 4) // 6
        widths = [16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.out_indices = out_indices
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.layers = []
        in_ch = 16
        for i, (w, s) in enumerate(zip(widths, (first_stride, 2, 2))):
            blocks = [_PreActBlock(in_ch if j == 0 else w, w, s if j == 0 else 1, drop_rate,
                                   norm_cfg) for j in range(n)]
            name = f'layer{i + 1}'
            self.add_module(name, nn.Sequential(*blocks))
            self.layers.append(name)
            in_ch = w
        self.bn_final = build_norm_layer(norm_cfg, in_ch)[1]
        self._freeze_stages()

    def _freeze_stages(self):
        if self.frozen_stages >= 0:
            for m in [self.conv1] + [getattr(self, n) for n in self.layers[:self.frozen_stages]]:
                m.eval()
                for p in m.parameters():
                    p.requires_grad = False

    def forward(self, x):
        x = self.conv1(x)
        outs = []
        for i, name in enumerate(self.layers):
            x = getattr(self, name)(x)
            if i == len(self.layers) - 1:
                x = F.relu(self.bn_final(x))
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode=True):
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
