from .backbone_export import (ConversionError, convert_checkpoint, export_backbone,
                              extract_backbone, format_report, infer_resnet_arch, load_source,
                              verify_resnet)
from .compat import CHECKPOINT_SAFE_GLOBALS, register_checkpoint_safe_globals, safe_load
from .optional import OPTIONAL_PARTS, is_available
from .validation import (ConfigError, StrictKwargs, check_choice, check_int, check_kwargs,
                         check_range)

__all__ = [
    'OPTIONAL_PARTS', 'is_available',
    'CHECKPOINT_SAFE_GLOBALS', 'register_checkpoint_safe_globals', 'safe_load',
    'ConfigError', 'StrictKwargs', 'check_choice', 'check_int', 'check_kwargs', 'check_range',
    'ConversionError', 'convert_checkpoint', 'export_backbone', 'extract_backbone',
    'format_report', 'infer_resnet_arch', 'load_source', 'verify_resnet'
]
