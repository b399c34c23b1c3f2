from .automix_ema import AutoMixEMA, automix_momentum
from .automix_vis import AutoMixMaskVisHook, save_mask_grid
from .checkpoint import AtomicCheckpointHook
from .label_check import LabelCheckHook
from .rng_state import RNGStateHook
from .transfer_check import TransferCheckHook

__all__ = ['AutoMixEMA', 'automix_momentum', 'AutoMixMaskVisHook', 'save_mask_grid',
           'TransferCheckHook', 'LabelCheckHook', 'AtomicCheckpointHook', 'RNGStateHook']
