"""The C4 shared head (a backbone's last stage run on RoI features) at any width."""
from mmdet.models.backbones import ResNet
from mmdet.models.layers import ResLayer as _make_stage
from mmdet.models.roi_heads.shared_heads import ResLayer

from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, check_range


@MODELS.register_module()
class ResLayerC4(ResLayer):
    """mmdet's ``ResLayer`` shared head with the backbone's ``base_channels``.

    mmdet fixes the stage width to that of a 64-channel ResNet; a narrower
    backbone (e.g. the width-16 ResNet-18 of mmmix's synthetic twins) needs
    the same width in its C4 head so the converted checkpoint's
    ``layer{stage + 1}.*`` weights fit. With ``base_channels=64`` it is
    mmdet's head. Other arguments: as mmdet's ``ResLayer``.
    """

    def __init__(self, depth: int, stage: int = 3, base_channels: int = 64, **kwargs):
        if depth not in ResNet.arch_settings:
            raise ConfigError(f'ResLayerC4: depth={depth!r}; valid choices are '
                              f'{sorted(ResNet.arch_settings)}')
        check_range('stage', stage, 1, 3, owner='ResLayerC4')
        check_range('base_channels', base_channels, low=1, owner='ResLayerC4')
        super().__init__(depth, stage=stage, **kwargs)
        if base_channels != 64:
            block, stage_blocks = ResNet.arch_settings[depth]
            planes = int(base_channels) * 2**stage
            inplanes = int(base_channels) * 2**(stage - 1) * block.expansion
            self.add_module(f'layer{stage + 1}', _make_stage(
                block, inplanes, planes, stage_blocks[stage], stride=kwargs.get('stride', 2),
                dilation=kwargs.get('dilation', 1), style=kwargs.get('style', 'pytorch'),
                with_cp=kwargs.get('with_cp', False), norm_cfg=self.norm_cfg,
                dcn=kwargs.get('dcn')))
