"""Optimizers for AutoMix: the Mix Block trains with its own optimizer (and lr
schedule), or as a parameter group of the backbone's optimizer with its own
lr multiplier; the config chooses.

Separate optimizers (mmengine's multi-optimizer style, as its GAN example)::

    optim_wrapper = dict(
        constructor='AutoMixOptimWrapperConstructor',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),  # student
        mix_block=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))     # Mix Block
    # one schedule list for both, or one per optimizer:
    param_scheduler = dict(backbone=[...], mix_block=[...])

One optimizer, the Mix Block as a parameter group::

    optim_wrapper = dict(
        constructor='AutoMixOptimWrapperConstructor',
        optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
        mix_block=dict(lr_mult=1.0, decay_mult=1.0))

The teacher's parameters are in no optimizer.
"""
import copy
from contextlib import ExitStack, contextmanager
from typing import Dict, Optional

from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper, OptimWrapperDict
from torch import nn

from mmmix.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS
from mmmix.utils.validation import ConfigError

SEPARATE, PARAM_GROUP = 'separate', 'param_group'
_SEPARATE_KEYS = ('optimizer', 'type', 'clip_grad', 'accumulative_counts', 'paramwise_cfg',
                  'dtype')
_GROUP_KEYS = ('lr_mult', 'decay_mult')
#: the attribute the constructor sets on what it builds (AutoMix checks it)
MODE_ATTR = 'automix_mode'


@OPTIM_WRAPPERS.register_module()
class AutoMixOptimWrapperDict(OptimWrapperDict):
    """:class:`~mmengine.optim.OptimWrapperDict` that can also be driven as
    one wrapper, so mmengine's stock ``BaseModel.train_step`` and
    ``MMDistributedDataParallel.train_step`` work unchanged: ``update_params``
    back-propagates the summed loss once (AutoMix's losses reach disjoint
    parameter sets, so one backward gives each optimizer exactly its own
    gradients) and steps every optimizer."""

    def __init__(self, **optim_wrappers: OptimWrapper):
        super().__init__(**optim_wrappers)
        counts = {k: w._accumulative_counts for k, w in self.optim_wrappers.items()}
        if len(set(counts.values())) > 1:
            raise ConfigError(f'AutoMixOptimWrapperDict: accumulative_counts must be equal, '
                              f'got {counts}')
        scaled = [k for k, w in self.optim_wrappers.items() if hasattr(w, 'loss_scaler')]
        if scaled:
            raise ConfigError(
                f'AutoMixOptimWrapperDict: {scaled} use loss scaling (AmpOptimWrapper, fp16), '
                'which one shared backward cannot serve; use the parameter-group mode '
                "(mix_block=dict(lr_mult=...)) for fp16, or bf16 ('CPUAmpOptimWrapper')")

    @contextmanager
    def optim_context(self, model: nn.Module):
        with ExitStack() as stack:
            for wrapper in self.optim_wrappers.values():
                stack.enter_context(wrapper.optim_context(model))
            yield

    def initialize_count_status(self, model: nn.Module, cur_iter, max_iters) -> None:
        for wrapper in self.optim_wrappers.values():
            wrapper.initialize_count_status(model, cur_iter, max_iters)

    def update_params(self, loss, step_kwargs: Optional[Dict] = None,
                      zero_kwargs: Optional[Dict] = None) -> None:
        wrappers = list(self.optim_wrappers.values())
        wrappers[0].backward(wrappers[0].scale_loss(loss))
        for wrapper in wrappers[1:]:
            wrapper._inner_count += 1  # it took part in the shared backward
        for wrapper in wrappers:
            if wrapper.should_update():
                wrapper.step(**(step_kwargs or {}))
                wrapper.zero_grad(**(zero_kwargs or {}))


class _Parts(nn.Module):
    """A parameter view over some of a model's submodules (no copies), so
    that parameter names keep their prefixes (``backbone.``, ``mix_block.``)."""

    def __init__(self, model: nn.Module, names):
        super().__init__()
        for name in names:
            module = getattr(model, name, None)
            if module is not None:
                self.add_module(name, module)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class AutoMixOptimWrapperConstructor:
    """Builds AutoMix's optimizer(s); see the module docstring.

    ``optim_wrapper_cfg`` is the student's optimizer wrapper config plus
    ``mix_block``: either ``dict(optimizer=..., [type, clip_grad,
    paramwise_cfg, ...])`` (its own optimizer wrapper, the result an
    :class:`AutoMixOptimWrapperDict` with keys ``'backbone'`` and
    ``'mix_block'``) or ``dict(lr_mult=..., decay_mult=...)`` (a parameter
    group of the one optimizer).
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: Optional[dict] = None):
        name = type(self).__name__
        cfg = copy.deepcopy(dict(optim_wrapper_cfg))
        mix_block = cfg.pop('mix_block', None)
        if not isinstance(mix_block, dict):
            raise ConfigError(
                f"{name}: 'mix_block' is required in optim_wrapper: the Mix Block's own "
                "optimizer, mix_block=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)), "
                'or its parameter group of the backbone optimizer, mix_block=dict(lr_mult=1.0); '
                f'got {mix_block!r}')
        mix_block = dict(mix_block)
        if 'optimizer' not in cfg:
            raise ConfigError(f"{name}: optim_wrapper needs 'optimizer' (the student's)")
        separate = [k for k in mix_block if k in _SEPARATE_KEYS]
        group = [k for k in mix_block if k in _GROUP_KEYS]
        unknown = [k for k in mix_block if k not in _SEPARATE_KEYS + _GROUP_KEYS]
        if unknown:
            raise ConfigError(f'{name}: unknown mix_block key(s) {unknown}; valid keys are '
                              f'{sorted(_SEPARATE_KEYS)} (own optimizer) or '
                              f'{sorted(_GROUP_KEYS)} (parameter group)')
        if separate and group:
            raise ConfigError(f'{name}: mix_block mixes own-optimizer keys {separate} with '
                              f'parameter-group keys {group}; choose one mode')
        if separate and 'optimizer' not in mix_block:
            raise ConfigError(f"{name}: mix_block={mix_block} has no 'optimizer'")
        self.mode = SEPARATE if separate else PARAM_GROUP
        self.cfg, self.mix_block_cfg = cfg, mix_block
        self.paramwise_cfg = paramwise_cfg

    def __call__(self, model: nn.Module):
        module = model.module if is_model_wrapper(model) else model
        names = getattr(module, 'student_parts', None)
        if names is None or getattr(module, 'mix_block', None) is None:
            raise ConfigError(f'{type(self).__name__} builds optimizers for AutoMix models, '
                              f'not {type(module).__name__}')
        if self.mode == PARAM_GROUP:
            paramwise = copy.deepcopy(self.paramwise_cfg or {})
            paramwise.setdefault('custom_keys', {})['mix_block.'] = dict(self.mix_block_cfg)
            wrapper = DefaultOptimWrapperConstructor(copy.deepcopy(self.cfg), paramwise)(
                _Parts(module, list(names) + ['mix_block']))
        else:
            student = DefaultOptimWrapperConstructor(
                copy.deepcopy(self.cfg), copy.deepcopy(self.paramwise_cfg))(
                    _Parts(module, names))
            mb_cfg = copy.deepcopy(self.mix_block_cfg)
            mb_cfg.setdefault('type', self.cfg.get('type', 'OptimWrapper'))
            if 'dtype' in self.cfg and mb_cfg['type'] == self.cfg.get('type'):
                mb_cfg.setdefault('dtype', self.cfg['dtype'])  # the same AMP wrapper
            mb_paramwise = mb_cfg.pop('paramwise_cfg', None)
            mix = DefaultOptimWrapperConstructor(mb_cfg, mb_paramwise)(
                _Parts(module, ['mix_block']))
            wrapper = AutoMixOptimWrapperDict(backbone=student, mix_block=mix)
        setattr(wrapper, MODE_ATTR, self.mode)
        return wrapper
