"""Run a backbone only up to one stage (AutoMix's teacher feeds the Mix Block
with the features of one intermediate stage and needs nothing after it).

Supported: mmpretrain's ``ResNet`` family (``ResNet``, ``ResNetV1c/d``,
``ResNet_CIFAR``, ``ResNeXt``) and mmmix's ``ResNeXt_CIFAR`` and
``WideResNet_CIFAR``. Stages are numbered as mmpretrain's ``out_indices``
(0-based: stage index 2 is ``layer3``, the paper's "stage 3").
"""
from typing import Callable, Dict, Tuple

import torch.nn.functional as F
from mmpretrain.models.backbones import ResNet, ResNet_CIFAR
from torch import Tensor, nn

from mmmix.models.backbones.cifar import WideResNet_CIFAR
from mmmix.utils.validation import ConfigError


def _resnet_stem(backbone: ResNet, x: Tensor) -> Tensor:
    if isinstance(backbone, ResNet_CIFAR):  # 3x3 stride-1 conv, no max-pool
        return backbone.relu(backbone.norm1(backbone.conv1(x)))
    if backbone.deep_stem:
        x = backbone.stem(x)
    else:
        x = backbone.relu(backbone.norm1(backbone.conv1(x)))
    return backbone.maxpool(x)


def _resnet_forward(backbone: ResNet, x: Tensor, stage: int) -> Tensor:
    x = _resnet_stem(backbone, x)
    for name in backbone.res_layers[:stage + 1]:
        x = getattr(backbone, name)(x)
    return x


def _resnet_channels(backbone: ResNet, stage: int) -> int:
    return getattr(backbone, backbone.res_layers[stage])[-1].out_channels


def _wrn_forward(backbone: WideResNet_CIFAR, x: Tensor, stage: int) -> Tensor:
    x = backbone.conv1(x)
    for name in backbone.layers[:stage + 1]:
        x = getattr(backbone, name)(x)
    if stage == len(backbone.layers) - 1:  # the backbone outputs its last stage after BN-ReLU
        x = F.relu(backbone.bn_final(x))
    return x


def _wrn_channels(backbone: WideResNet_CIFAR, stage: int) -> int:
    return getattr(backbone, backbone.layers[stage])[-1].conv2.out_channels


#: backbone class -> (number of stages, forward up to a stage, channels of a stage)
STAGE_RUNNERS: Dict[type, Tuple[Callable, Callable, Callable]] = {
    ResNet: (lambda b: len(b.res_layers), _resnet_forward, _resnet_channels),
    WideResNet_CIFAR: (lambda b: len(b.layers), _wrn_forward, _wrn_channels),
}


def _runner(backbone: nn.Module, owner: str = 'AutoMix'):
    for cls, fns in STAGE_RUNNERS.items():
        if isinstance(backbone, cls):
            return fns
    raise ConfigError(
        f'{owner}: cannot run backbone {type(backbone).__name__} up to a stage; supported '
        f'backbones are subclasses of {sorted(c.__name__ for c in STAGE_RUNNERS)} (mmpretrain '
        'ResNet/ResNet_CIFAR/ResNeXt, mmmix ResNeXt_CIFAR/WideResNet_CIFAR)')


def stage_count(backbone: nn.Module, owner: str = 'AutoMix') -> int:
    """Number of stages of ``backbone`` (ConfigError for unsupported types)."""
    return _runner(backbone, owner)[0](backbone)


def stage_channels(backbone: nn.Module, stage: int) -> int:
    """Output channels of stage ``stage`` (0-based)."""
    return _runner(backbone)[2](backbone, stage)


def forward_to_stage(backbone: nn.Module, x: Tensor, stage: int) -> Tensor:
    """The output of stage ``stage`` (0-based), equal to ``backbone(x)`` at
    that ``out_index``, computing no later stage."""
    return _runner(backbone)[1](backbone, x, stage)
