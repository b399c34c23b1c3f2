from .pixel_mix_block import PixelMixBlock, mask_lam_loss
from .stages import forward_to_stage, stage_channels, stage_count

__all__ = ['PixelMixBlock', 'mask_lam_loss', 'forward_to_stage', 'stage_channels', 'stage_count']
