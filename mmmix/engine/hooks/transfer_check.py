"""Fail fast when a detection transfer run would silently not transfer.

mmengine's ``Pretrained`` init loads with ``strict=False``: a missing
checkpoint path, a checkpoint of another architecture or a CIFAR-stem
backbone only produce warnings (or a random init) and the run trains on. This
hook checks every module whose ``init_cfg`` is ``Pretrained`` before the
weights are initialised (``before_run`` comes before ``_init_model_weights``).
"""
import os.path as osp
from typing import Dict, Iterator, List, Tuple

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from mmmix.registry import HOOKS
from mmmix.utils.backbone_export import (CIFAR_CONV1, ConversionError, infer_resnet_arch,
                                         resnet_kwargs)
from mmmix.utils.compat import safe_load
from mmmix.utils.state_dicts import compare_state, key_listing
from mmmix.utils.validation import ConfigError

#: the checkpoint schemes mmengine downloads from; not checked here
REMOTE_PREFIXES = ('http://', 'https://', 'open-mmlab://', 'torchvision://', 'mmcls://',
                   'modelzoo://', 's3://', 'pavi://')
#: SoftTeacher-style wrappers copy ``model.detector`` into these attributes
_DETECTOR_COPIES = ('student.', 'teacher.')


def _pretrained_cfgs(init_cfg) -> List[dict]:
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    return [c for c in cfgs if isinstance(c, dict)
            and str(c.get('type', '')).split('.')[-1] in ('Pretrained', 'PretrainedInit')]


def pretrained_modules(model) -> Iterator[Tuple[str, object, dict]]:
    """``(name, module, init_cfg)`` of every module initialised from a checkpoint."""
    for name, module in model.named_modules():
        for cfg in _pretrained_cfgs(getattr(module, 'init_cfg', None)):
            yield name, module, cfg


def config_key(name: str) -> str:
    """The config key of a module: ``student.backbone`` -> ``model.detector.backbone``."""
    for copy in _DETECTOR_COPIES:
        if name.startswith(copy):
            return 'model.detector.' + name[len(copy):]
    return f'model.{name}' if name else 'model'


def _state_dict(obj) -> Dict:
    if isinstance(obj, dict) and isinstance(obj.get('state_dict'), dict):
        return obj['state_dict']
    return obj if isinstance(obj, dict) else {}


def fitting_settings(meta, state: Dict, key: str) -> str:
    """The backbone settings the checkpoint fits, from the converter's ``meta['arch']``
    or inferred from its keys ('' when it is not a ResNet)."""
    arch = meta.get('arch') if isinstance(meta, dict) else None
    if not arch:
        try:
            arch = infer_resnet_arch(state)
        except ConversionError:
            return ''
    kw = resnet_kwargs(arch)
    settings = ', '.join(f'{key}.{k}={kw[k]!r}' for k in
                         ('depth', 'stem_channels', 'base_channels', 'deep_stem', 'avg_down'))
    return (f'. The checkpoint holds a ResNet-{arch["depth"]} ({arch["stem"]} stem, '
            f'{arch["num_stages"]} stages); a detector backbone that fits it has {settings}')


def check_pretrained(module, cfg: dict, key: str) -> str:
    """Check one module against its ``Pretrained`` checkpoint; return a
    one-line summary, raise :class:`ConfigError` / ``FileNotFoundError``."""
    path = cfg.get('checkpoint')
    if not path:
        raise ConfigError(
            f'{key}.init_cfg.checkpoint is not set: give the converted backbone with '
            f'--cfg-options {key}.init_cfg.checkpoint=PATH (written by '
            'tools/model_converters/mmmix_to_mmdet.py), or train from scratch with '
            f'--cfg-options {key}.init_cfg=None')
    path = str(path)
    if path.startswith(REMOTE_PREFIXES):
        return f'{key} <- {path} (remote, not checked)'
    if not osp.isfile(path):
        raise FileNotFoundError(f'{key}.init_cfg.checkpoint={path!r} does not exist')
    ckpt = safe_load(path)
    state = _state_dict(ckpt)
    meta = ckpt.get('meta') if isinstance(ckpt, dict) else None
    # converted with --allow-cifar-stem: conv1 was dropped on purpose
    stem_dropped = isinstance(meta, dict) and CIFAR_CONV1 in (meta.get('dropped') or {})
    prefix = cfg.get('prefix')
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    own = module.state_dict()
    # extra tensors are fine: a C4 backbone uses three stages, its shared head layer4 only
    missing, _, bad = compare_state(
        own, state, skip_missing=lambda k: k.endswith('num_batches_tracked')
        or (stem_dropped and k == 'conv1.weight'))
    conv1 = state.get('conv1.weight')
    if conv1 is not None and 'conv1.weight' in own and conv1.shape[-1] == 3 \
            and own['conv1.weight'].shape[-1] != 3:
        raise ConfigError(
            f'{key}.init_cfg.checkpoint={path!r} has a CIFAR stem (3x3 stride-1 conv1, no '
            f'max-pool); the detector\'s {key} has an ImageNet stem '
            f'({tuple(own["conv1.weight"].shape[-2:])} conv1). Pretrain with an '
            'ImageNet-stem backbone, or convert with --allow-cifar-stem to drop conv1')
    if missing or bad:
        raise ConfigError(
            f'{key}.init_cfg.checkpoint={path!r} does not fit {key} ({type(module).__name__}): '
            f'{len(missing)} keys missing {key_listing(missing, 4)}, {len(bad)} shape '
            f'mismatches {key_listing(bad, 4)}{fitting_settings(meta, state, key)}')
    used = sum(1 for k in own if k in state)
    note = ' (CIFAR-stem conv1 dropped by the converter: initialised here)' \
        if stem_dropped and 'conv1.weight' in own else ''
    return (f'{key} <- {path}: all {used} tensors present ({len(state) - used} '
            f'unused){note}')


@HOOKS.register_module()
class TransferCheckHook(Hook):
    """Check the ``Pretrained`` init of every module before training starts.

    Runs when training starts (not for ``Runner.test``/``val``, whose weights
    come from the tested checkpoint). For each module with
    ``init_cfg=dict(type='Pretrained', checkpoint=...)``
    (the backbone; a C4 detector's shared head too): the checkpoint must be
    given and exist (a remote URL is let through), be loadable with
    ``weights_only=True`` (mmmix's allowlist) and hold every tensor of the
    module with the same shape; extra tensors are allowed (a C4 backbone
    uses three of the four stages, its shared head only ``layer4``). A CIFAR
    stem meeting an ImageNet stem gets its own message; a checkpoint the
    converter wrote with ``--allow-cifar-stem`` may lack ``conv1.weight``
    (its meta says so). To train from scratch set the module's ``init_cfg=None``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        # Runner.test()/val() call before_run too, but only train() initialises weights
        # (it builds the train loop first); a tested model comes from its checkpoint
        if not isinstance(getattr(runner, '_train_loop', None), BaseLoop):
            return
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        said = set()
        for name, module, cfg in pretrained_modules(model):
            # every copy is checked (SoftTeacher's student and teacher), each line said once
            line = check_pretrained(module, cfg, config_key(name))
            if line not in said:
                said.add(line)
                runner.logger.info('TransferCheckHook: ' + line)
