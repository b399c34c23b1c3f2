"""Pretrained backbones from a LOCAL checkpoint (nothing is downloaded).

Two layouts are understood:

* mmpretrain: ``{'state_dict': {'backbone.<key>': ..., 'head.fc.weight': ...}}``
  (or the bare dict), as mmengine's ``CheckpointHook`` saves a classifier;
* torchvision: a ResNet ``state_dict`` (``conv1.weight``, ``bn1.*``,
  ``layer1.0.conv1.weight``, ..., ``fc.weight``, ``fc.bias``), optionally
  wrapped in ``'state_dict'`` / ``'model'``. mmpretrain's ``ResNet``
  (``deep_stem=False``) uses torchvision's parameter names, so backbone keys
  map one to one; ``fc.*`` is the source classifier (Co-Tuning's source head).

Files are read with :func:`mmmix.utils.compat.safe_load` (``weights_only``).
"""
import os.path as osp
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor, nn

from mmmix.utils.compat import safe_load
from mmmix.utils.state_dicts import compare_state, key_listing
from mmmix.utils.validation import ConfigError

FORMATS = ('auto', 'mmpretrain', 'torchvision')
MMPRETRAIN_HEAD = 'head.fc.'
TORCHVISION_HEAD = 'fc.'


def _state_dict(obj) -> Dict[str, Tensor]:
    if isinstance(obj, dict):
        for key in ('state_dict', 'model'):
            if key in obj and isinstance(obj[key], dict):
                return obj[key]
        return obj
    raise ConfigError(f'a checkpoint must hold a state dict, got {type(obj).__name__}')


def split_checkpoint(path: str, fmt: str = 'auto'
                     ) -> Tuple[Dict[str, Tensor], Dict[str, Tensor], str]:
    """``(backbone_state, source_head_state, format)`` of the checkpoint at
    ``path``; the head state has keys ``weight`` / ``bias`` (empty if the
    checkpoint has no classifier)."""
    if fmt not in FORMATS:
        raise ConfigError(f'pretrained_format={fmt!r}; valid choices are {list(FORMATS)}')
    if not path or not osp.isfile(path):
        raise FileNotFoundError(
            f'pretrained backbone checkpoint {path!r} does not exist (nothing is downloaded: '
            'give a local file, e.g. --cfg-options model.pretrained_backbone=PATH)')
    sd = _state_dict(safe_load(path, map_location='cpu'))
    sd = {k[len('module.'):] if k.startswith('module.') else k: v for k, v in sd.items()}
    if fmt == 'auto':
        fmt = 'mmpretrain' if any(k.startswith('backbone.') for k in sd) else 'torchvision'
    if fmt == 'mmpretrain':
        backbone = {k[len('backbone.'):]: v for k, v in sd.items() if k.startswith('backbone.')}
        head_prefix = MMPRETRAIN_HEAD
    else:
        backbone = {k: v for k, v in sd.items() if not k.startswith(TORCHVISION_HEAD)}
        head_prefix = TORCHVISION_HEAD
    head = {k[len(head_prefix):]: v for k, v in sd.items() if k.startswith(head_prefix)}
    if not backbone:
        raise ConfigError(f'{path!r} ({fmt} format) holds no backbone weights; keys start '
                          f'with {sorted({k.split(".")[0] for k in sd})[:8]}')
    return backbone, head, fmt


def load_into(module: nn.Module, state: Dict[str, Tensor], what: str, path: str) -> int:
    """Copy ``state`` into ``module`` strictly: every key of the module must
    be given (BN ``num_batches_tracked`` excepted), no extra key, same shapes.
    Returns the number of tensors loaded; errors name the offending keys."""
    own = module.state_dict()
    missing, unexpected, bad_shape = compare_state(
        own, state, skip_missing=lambda k: k.endswith('num_batches_tracked'))
    if missing or unexpected or bad_shape:
        raise ConfigError(
            f'{what} of {path!r} does not match the model: missing {key_listing(missing)}, '
            f'unexpected {key_listing(unexpected)}, shape mismatch {key_listing(bad_shape)}')
    with torch.no_grad():
        for k, v in state.items():
            own[k].copy_(v.to(own[k]))
    return len(state)


def load_pretrained(path: str, backbone: nn.Module, source_head: Optional[nn.Module] = None,
                    fmt: str = 'auto') -> dict:
    """Load a local checkpoint into ``backbone`` (and its classifier into
    ``source_head`` when given); return a report
    ``{'path', 'format', 'backbone_tensors', 'head_tensors'}``."""
    state, head, fmt = split_checkpoint(path, fmt)
    report = dict(path=path, format=fmt, backbone_tensors=load_into(backbone, state,
                                                                    'the backbone', path),
                  head_tensors=0)
    if source_head is not None:
        if not head:
            raise ConfigError(f'{path!r} ({fmt} format) has no source classifier '
                              f'({MMPRETRAIN_HEAD if fmt == "mmpretrain" else TORCHVISION_HEAD}'
                              'weight/bias), which Co-Tuning needs')
        report['head_tensors'] = load_into(source_head, head, 'the source classifier', path)
    return report


__all__ = ['FORMATS', 'split_checkpoint', 'load_into', 'load_pretrained']
