"""Export the backbone of an mmmix classification checkpoint for mmdet.

The output is ``{'meta': {...}, 'state_dict': {<backbone key>: tensor}}`` with
the ``backbone.`` prefix removed, ready for
``model.backbone.init_cfg=dict(type='Pretrained', checkpoint=OUT)``.

Understood inputs (read with :func:`mmmix.utils.compat.safe_load`, i.e.
``weights_only=True``; a ``module.`` DDP prefix is stripped):

* MixupClassifier / FineTuning / CoTuning: ``backbone.*``, ``neck.*``, ``head.*``
  (+ ``source_fc.*``, ``relationship``, ``relation_ready``);
* AutoMix: the above + ``mix_block.*`` and the momentum teacher
  ``teacher.module.{backbone,neck,head}.*``, ``teacher.steps``;
* FixMatch / MixMatch: ``backbone.*``, ``head.*``, ``num_steps``, optional EMA
  teacher ``teacher.module.*``;
* SelfTuning: ``projector.*``, ``queue``, ``queue_ptr`` and the momentum key
  encoder ``key_encoder.module.{backbone,neck,projector}.*``;
* mmengine ``EMAHook`` checkpoints: the hook swaps before saving, so
  ``state_dict`` holds the averaged weights and ``ema_state_dict['module.<k>']``
  the raw trained ones;
* a bare backbone state dict (``conv1.weight``, ``layer1.0...``), possibly
  torchvision-style with ``fc.*``.
"""
import os
import os.path as osp
import re
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch
from torch import Tensor

from .compat import safe_load
from .state_dicts import compare_state, key_listing


class ConversionError(ValueError):
    """The checkpoint cannot be exported as asked (the message says why)."""


MODEL_CHOICES = ('student', 'teacher')

# depth -> (block, blocks per stage), as mmdet / mmpretrain ``ResNet.arch_settings``
RESNET_ARCHS = {
    18: ('BasicBlock', (2, 2, 2, 2)),
    34: ('BasicBlock', (3, 4, 6, 3)),
    50: ('Bottleneck', (3, 4, 6, 3)),
    101: ('Bottleneck', (3, 4, 23, 3)),
    152: ('Bottleneck', (3, 8, 36, 3)),
}

STUDENT_PREFIX = 'backbone.'
TEACHER_PREFIX = 'teacher.module.backbone.'
KEY_ENCODER_PREFIX = 'key_encoder.module.backbone.'

HEAD = 'classification head'
TEACHER = 'momentum teacher'
KEY_ENCODER = 'key encoder / queue (SelfTuning)'
COTUNING = 'source classifier / relationship (CoTuning)'
STUDENT = 'student backbone'
EMA_COPY = 'EMA copy (EMAHook)'
TORCHVISION_FC = 'torchvision classifier (fc)'
CIFAR_CONV1 = "CIFAR stem conv1 (3x3), left to the detector's init"

# model parts that are not exported: prefixes end with '.', other entries are
# whole keys (buffers). The first match wins.
PART_NAMES = (
    ('head.', HEAD),
    ('neck.', 'neck'),
    ('mix_block.', 'Mix Block'),
    ('teacher.', TEACHER),
    ('key_encoder.', KEY_ENCODER),
    ('queue', KEY_ENCODER),
    ('queue_ptr', KEY_ENCODER),
    ('projector.', 'projector'),
    ('source_fc.', COTUNING),
    ('relationship', COTUNING),
    ('relation_ready', COTUNING),
    ('guide.', 'guiding network (mixer guide)'),
    ('num_steps', 'step counter (num_steps)'),
    ('data_preprocessor.', 'data preprocessor'),
    (STUDENT_PREFIX, STUDENT),
)

_LAYER_RE = re.compile(r'^layer(\d+)\.(\d+)\.')
_MMPRETRAIN_STEM_RE = re.compile(r'^stem\.(\d+)\.(conv|bn)\.(.+)$')
_MMDET_STEM_RE = re.compile(r'^stem\.(\d+)\.(.+)$')
_AVG_DOWN_RE = re.compile(r'^layer\d+\.\d+\.downsample\.2\.')
_LAYER1_DOWNSAMPLE_RE = re.compile(r'^layer1\.0\.downsample\.(\d)\.(.+)$')
_BN_BUFFERS = ('running_mean', 'running_var', 'num_batches_tracked')


# ---------------------------------------------------------------- helpers
def _part_name(key: str) -> Optional[str]:
    for p, name in PART_NAMES:
        if key.startswith(p) if p.endswith('.') else key == p:
            return name
    return None


def _top_prefixes(keys) -> list:
    return sorted({k.split('.')[0] for k in keys})


def _strip_module(sd: dict) -> 'OrderedDict[str, Tensor]':
    out = OrderedDict()
    for k, v in sd.items():
        while k.startswith('module.'):
            k = k[len('module.'):]
        out[k] = v
    return out


def _count_params(state: Dict[str, Tensor]) -> int:
    """Elements of the learnable tensors (BN running statistics excluded)."""
    return int(sum(v.numel() for k, v in state.items() if not k.endswith(_BN_BUFFERS)))


def _model_states(ckpt, name: str) -> Tuple[dict, Optional[dict]]:
    """``(model state dict, EMAHook ema_state_dict or None)``, prefixes stripped."""
    if not isinstance(ckpt, dict):
        raise ConversionError(f'{name} holds a {type(ckpt).__name__}, not a checkpoint dict '
                              'or a state dict')
    ema = ckpt.get('ema_state_dict')
    for key in ('state_dict', 'model'):
        if isinstance(ckpt.get(key), dict):
            sd = ckpt[key]
            break
    else:
        not_tensor = [k for k, v in ckpt.items() if not isinstance(v, Tensor)]
        if not_tensor:
            raise ConversionError(f"{name} has no 'state_dict' and is not a state dict "
                                  f'(non-tensor entries {key_listing(not_tensor)})')
        sd = ckpt
    bad = [k for k, v in sd.items() if not isinstance(v, Tensor)]
    if bad:
        raise ConversionError(
            f'{name}: state dict entries that are not tensors: {key_listing(bad)}')
    ema = _strip_module(ema) if isinstance(ema, dict) else None
    return _strip_module(sd), ema


def _source_kind(main: dict, ema: Optional[dict], bare: bool) -> str:
    has = (lambda p: any(k == p or k.startswith(p + '.') for k in main))  # noqa: E731
    if bare:
        kind = 'bare backbone (torchvision-style)' if has('fc') else 'bare backbone'
    elif has('mix_block'):
        kind = 'AutoMix'
    elif has('key_encoder') or has('queue'):
        kind = 'SelfTuning'
    elif has('source_fc') or has('relationship'):
        kind = 'CoTuning'
    elif has('num_steps') or has('teacher'):
        kind = 'semi-supervised (FixMatch/MixMatch)'
    else:
        kind = 'MixupClassifier-like'
    return kind + ' + EMAHook' if ema is not None else kind


def _with_prefix(sd: dict, prefix: str) -> 'OrderedDict[str, Tensor]':
    return OrderedDict((k[len(prefix):], v) for k, v in sd.items() if k.startswith(prefix))


def load_source(path: str):
    """Read a checkpoint with the weights-only allowlist (``RuntimeError`` naming
    the class for a file that needs arbitrary code)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'checkpoint {path!r} does not exist')
    return safe_load(path, map_location='cpu')


# ---------------------------------------------------------------- extraction
def extract_backbone(ckpt, model: str = 'student', name: str = 'the checkpoint'
                     ) -> Tuple['OrderedDict[str, Tensor]', dict]:
    """Pick the backbone weights of a loaded checkpoint.

    Returns ``(state, info)``: ``state`` has the backbone keys without prefix;
    ``info`` has ``source_kind``, ``kept_source`` (where the weights came from)
    and ``dropped`` (``{part name: tensor count}``, every other tensor of the
    file). Raises :class:`ConversionError` when there is no backbone or the
    requested ``model`` is not in the file.
    """
    if model not in MODEL_CHOICES:
        raise ConversionError(f'model={model!r}; choose one of {list(MODEL_CHOICES)}')
    main, ema = _model_states(ckpt, name)
    bare = not any(_part_name(k) for k in main) and bool(main)
    kind = _source_kind(main, ema, bare)
    dropped = OrderedDict()

    def drop(group, n=1):
        if n:
            dropped[group] = dropped.get(group, 0) + n

    if bare:
        if model == 'teacher':
            raise ConversionError(f'--model teacher: {name} is a bare backbone state dict '
                                  '(one set of weights, no teacher); use --model student')
        state = OrderedDict((k, v) for k, v in main.items() if not k.startswith('fc.'))
        drop(TORCHVISION_FC, len(main) - len(state))
        if ema is not None:
            drop(EMA_COPY, len(ema))
        return state, dict(source_kind=kind, kept_source='bare state dict', dropped=dropped)

    sources = OrderedDict()  # what the file has, for messages
    if any(k.startswith(STUDENT_PREFIX) for k in main):
        sources['student'] = 'student (backbone.*)'
    if any(k.startswith(TEACHER_PREFIX) for k in main):
        sources['teacher'] = 'teacher (teacher.module.backbone.*: AutoMix / EMA teacher)'
    if any(k.startswith(KEY_ENCODER_PREFIX) for k in main):
        sources['key_encoder'] = 'teacher (key_encoder.module.backbone.*: SelfTuning)'
    if ema is not None and 'student' in sources:
        sources['ema'] = 'EMAHook copies (state_dict: averaged, ema_state_dict: raw)'
    if not sources:
        raise ConversionError(
            f'missing backbone: {name} has no backbone weights (looked for '
            f'{STUDENT_PREFIX}*, {TEACHER_PREFIX}*, {KEY_ENCODER_PREFIX}*); its keys start '
            f'with {_top_prefixes(main)}')

    from_ema = False
    if model == 'student':
        if 'student' not in sources:
            raise ConversionError(f'--model student: {name} has no student backbone '
                                  f'({STUDENT_PREFIX}*); it has {list(sources.values())}')
        if ema is not None and any(k.startswith(STUDENT_PREFIX) for k in ema):
            prefix, from_ema = STUDENT_PREFIX, True
            kept_source = "ema_state_dict['module.backbone.*'] (raw weights, EMAHook)"
        else:
            prefix, kept_source = STUDENT_PREFIX, 'state_dict backbone.*'
    elif 'teacher' in sources:
        prefix, kept_source = TEACHER_PREFIX, f'state_dict {TEACHER_PREFIX}*'
    elif 'key_encoder' in sources:
        prefix, kept_source = KEY_ENCODER_PREFIX, f'state_dict {KEY_ENCODER_PREFIX}*'
    elif 'ema' in sources:
        prefix, kept_source = STUDENT_PREFIX, 'state_dict backbone.* (EMAHook averaged weights)'
    else:
        raise ConversionError(
            f'--model teacher: {name} has no teacher (looked for {TEACHER_PREFIX}* of '
            f'AutoMix / FixMatch / MixMatch, {KEY_ENCODER_PREFIX}* of SelfTuning, an EMAHook '
            f"'ema_state_dict'); it has {list(sources.values())}")

    state = _with_prefix(ema if from_ema else main, prefix)
    for k in main:
        if not from_ema and k.startswith(prefix):
            continue
        if from_ema and k.startswith(STUDENT_PREFIX):
            drop(EMA_COPY)  # the averaged copy
            continue
        drop(_part_name(k) or f'other ({k.split(".")[0]})')
    if ema is not None:
        drop(EMA_COPY, len(ema) - (len(state) if from_ema else 0))
    return state, dict(source_kind=kind, kept_source=kept_source, dropped=dropped)


# ---------------------------------------------------------------- ResNet
def _stem_layout(state) -> Optional[str]:
    if any(_MMPRETRAIN_STEM_RE.match(k) for k in state):
        return 'mmpretrain'
    if any(k.startswith('stem.') for k in state):
        return 'mmdet'
    return None


def _avg_down(state) -> bool:
    return any(_AVG_DOWN_RE.match(k) for k in state)


def to_mmdet_layout(state: dict) -> 'OrderedDict[str, Tensor]':
    """Rename mmpretrain-only key layouts to mmdet's (identity for a plain ResNet).

    * deep stem: mmpretrain ``stem.<i>.conv/bn.*`` (ConvModules) -> mmdet
      ``stem.<3i>.*`` (conv) / ``stem.<3i+1>.*`` (BN) of an ``nn.Sequential``;
    * ``avg_down``: mmdet puts an ``AvgPool2d`` in every shortcut, mmpretrain only
      in strided ones, so ``layer1.0.downsample.0/1`` -> ``.1/.2``.
    """
    shift = (_avg_down(state) and 'layer1.0.downsample.0.weight' in state
             and 'layer1.0.downsample.2.weight' not in state)
    out = OrderedDict()
    for k, v in state.items():
        m = _MMPRETRAIN_STEM_RE.match(k)
        if m:
            k = f'stem.{3 * int(m[1]) + (m[2] == "bn")}.{m[3]}'
        m = _LAYER1_DOWNSAMPLE_RE.match(k)
        if shift and m:
            k = f'layer1.0.downsample.{int(m[1]) + 1}.{m[2]}'
        out[k] = v
    return out


def to_mmpretrain_layout(state: dict) -> 'OrderedDict[str, Tensor]':
    """Inverse of :func:`to_mmdet_layout`."""
    shift = 'layer1.0.downsample.2.weight' in state
    out = OrderedDict()
    for k, v in state.items():
        if not _MMPRETRAIN_STEM_RE.match(k):
            m = _MMDET_STEM_RE.match(k)
            if m:
                i, r = divmod(int(m[1]), 3)
                k = f'stem.{i}.{"conv" if r == 0 else "bn"}.{m[2]}'
        m = _LAYER1_DOWNSAMPLE_RE.match(k)
        if shift and m:
            k = f'layer1.0.downsample.{int(m[1]) - 1}.{m[2]}'
        out[k] = v
    return out


def infer_resnet_arch(state: Dict[str, Tensor]) -> dict:
    """The ResNet architecture of a backbone state dict (no prefix).

    Returns ``dict(depth, block, stage_blocks, num_stages, stem_channels,
    base_channels, deep_stem, avg_down, stem)`` with ``stem`` one of
    ``'imagenet'`` (7x7 ``conv1``), ``'cifar'`` (3x3 ``conv1``) or ``'deep'``.
    Raises :class:`ConversionError` when the keys are not a ResNet layout.
    """
    stages = {}
    for k in state:
        m = _LAYER_RE.match(k)
        if m:
            stages.setdefault(int(m[1]), set()).add(int(m[2]))
    layout = _stem_layout(state)
    if not stages or ('conv1.weight' not in state and layout is None):
        raise ConversionError(
            'not a ResNet layout: expected conv1.weight (or a deep stem stem.*) and '
            f'layer<N>.<M>.* keys; the keys start with {_top_prefixes(state)}')
    num_stages = max(stages)
    if sorted(stages) != list(range(1, num_stages + 1)) or num_stages > 4:
        raise ConversionError(f'not a ResNet layout: stages {sorted(stages)} '
                              '(expected layer1 .. layerN, N <= 4)')
    for i, blocks in sorted(stages.items()):
        if sorted(blocks) != list(range(len(blocks))):
            raise ConversionError(f'not a ResNet layout: layer{i} has blocks {sorted(blocks)}')
    stage_blocks = tuple(len(stages[i]) for i in range(1, num_stages + 1))
    for key in ('layer1.0.conv1.weight', 'layer1.0.conv2.weight'):
        if key not in state or state[key].dim() != 4:
            raise ConversionError(f'not a ResNet layout: no 4-D {key}')
    block = 'Bottleneck' if 'layer1.0.conv3.weight' in state else 'BasicBlock'
    depth = next((d for d, (b, sb) in RESNET_ARCHS.items()
                  if b == block and sb[:num_stages] == stage_blocks), None)
    if depth is None:
        raise ConversionError(
            f'not a standard ResNet: {block} with blocks per stage {stage_blocks} match no '
            f'depth of {{{", ".join(f"{d}: {b}{sb}" for d, (b, sb) in RESNET_ARCHS.items())}}}')
    if 'conv1.weight' in state:
        w = state['conv1.weight']
        if w.dim() != 4:
            raise ConversionError(f'conv1.weight has shape {tuple(w.shape)}, not a 2-D conv')
        ks = tuple(w.shape[-2:])
        stem = {(7, 7): 'imagenet', (3, 3): 'cifar'}.get(ks)
        if stem is None:
            raise ConversionError(f'conv1.weight is a {ks[0]}x{ks[1]} conv: neither the '
                                  'ImageNet 7x7 nor the CIFAR 3x3 ResNet stem')
        stem_channels, deep_stem = int(w.shape[0]), False
    else:
        last = 'stem.2.conv.weight' if layout == 'mmpretrain' else 'stem.6.weight'
        if last not in state:
            raise ConversionError(f'deep stem without its last conv {last}')
        stem, stem_channels, deep_stem = 'deep', int(state[last].shape[0]), True
    avg_down = _avg_down(state)
    return dict(depth=depth, block=block, stage_blocks=stage_blocks, num_stages=num_stages,
                stem_channels=stem_channels,
                base_channels=int(state['layer1.0.conv1.weight'].shape[0]),
                deep_stem=deep_stem, avg_down=avg_down, stem=stem)


def resnet_kwargs(arch: dict) -> dict:
    """Constructor arguments of mmdet's / mmpretrain's ``ResNet`` for ``arch``."""
    n = arch['num_stages']
    return dict(depth=arch['depth'], stem_channels=arch['stem_channels'],
                base_channels=arch['base_channels'], deep_stem=arch['deep_stem'],
                avg_down=arch.get('avg_down', False), num_stages=n,
                strides=(1, 2, 2, 2)[:n], dilations=(1, ) * n, out_indices=tuple(range(n)))


def _check_strict(net: torch.nn.Module, state: dict, what: str, ignore_missing=()):
    missing, unexpected, shapes = compare_state(net.state_dict(), state,
                                                skip_missing=lambda k: k in ignore_missing)
    if missing or unexpected or shapes:
        raise ConversionError(
            f'the backbone does not load strictly into {what}: missing {key_listing(missing)}, '
            f'unexpected {key_listing(unexpected)}, shape mismatch {key_listing(shapes)} (not a '
            'plain ResNet? pass --no-verify to write it as-is)')
    result = net.load_state_dict(state, strict=not ignore_missing)
    left = set(result.missing_keys) - set(ignore_missing)
    if left or result.unexpected_keys:
        raise ConversionError(f'{what}: load_state_dict reports missing {key_listing(left)}, '
                              f'unexpected {key_listing(result.unexpected_keys)}')


def verify_resnet(state: Dict[str, Tensor], arch: dict) -> str:
    """Load ``state`` strictly into mmdet's and mmpretrain's ``ResNet`` built
    from ``arch``; return a one-line summary or raise :class:`ConversionError`.
    For a CIFAR stem only a missing ``conv1.weight`` is tolerated."""
    from mmdet.models.backbones import ResNet as DetResNet
    from mmpretrain.models.backbones import ResNet as ClsResNet
    kwargs = resnet_kwargs(arch)
    ignore = ('conv1.weight', ) if arch['stem'] == 'cifar' else ()
    name = f'ResNet-{arch["depth"]}'
    for lib, cls, to_layout in (('mmdet', DetResNet, to_mmdet_layout),
                                ('mmpretrain', ClsResNet, to_mmpretrain_layout)):
        _check_strict(cls(**kwargs), to_layout(state), f'{lib} {name}', ignore)
    msg = f'loads strictly into mmdet {name} and mmpretrain {name}'
    return msg + (' (conv1.weight excepted: CIFAR stem)' if ignore else '')


# ---------------------------------------------------------------- export
def export_backbone(ckpt, model: str = 'student', allow_cifar_stem: bool = False,
                    verify: bool = True, name: str = 'the checkpoint'
                    ) -> Tuple['OrderedDict[str, Tensor]', dict]:
    """Backbone state (CPU, contiguous clones, mmdet key layout) and the
    report of a loaded checkpoint; see :func:`convert_checkpoint`."""
    state, info = extract_backbone(ckpt, model, name)
    dropped = info['dropped']
    notes = []
    try:
        arch = infer_resnet_arch(state)
    except ConversionError as e:
        if verify:
            raise ConversionError(f'{e}. Only ResNet backbones are verified against mmdet; '
                                  'pass --no-verify to write this backbone as-is') from None
        arch = None
        notes.append(f'not a ResNet ({e}); written as-is')
    if arch is not None and arch['stem'] == 'cifar':
        if not allow_cifar_stem:
            w = state['conv1.weight']
            raise ConversionError(
                f'CIFAR stem: conv1.weight is a 3x3 conv {tuple(w.shape)} (mmpretrain '
                'ResNet_CIFAR: stride 1, no max-pool), which does not fit the 7x7 stride-2 '
                'stem of mmdet ResNet; pass --allow-cifar-stem to drop conv1.weight and keep '
                'the rest (bn1 and the stages fit)')
        state.pop('conv1.weight')
        dropped[CIFAR_CONV1] = 1
    if arch is not None:
        renamed = to_mmdet_layout(state)
        n = sum(a != b for a, b in zip(state, renamed))
        if n:
            notes.append(f"renamed {n} keys from mmpretrain's layout to mmdet's (deep stem "
                         'stem.<i>.conv/bn -> stem.<3i>/<3i+1>, avg_down layer1.0.downsample)')
        state = renamed
    verification = verify_resnet(state, arch) if verify else 'skipped (--no-verify)'
    state = OrderedDict((k, v.detach().to('cpu').clone(memory_format=torch.contiguous_format))
                        for k, v in state.items())
    report = OrderedDict(
        source=name, out=None, model=model, source_kind=info['source_kind'],
        kept=OrderedDict(source=info['kept_source'], tensors=len(state),
                         parameters=_count_params(state)),
        dropped=dropped, arch=arch, verification=verification, notes=notes)
    return state, report


def _version() -> Optional[str]:
    try:
        from mmmix.version import __version__
        return str(__version__)
    except ImportError:  # pragma: no cover
        return None


def convert_checkpoint(src: str, out: str, model: str = 'student',
                       allow_cifar_stem: bool = False, verify: bool = True) -> dict:
    """Read ``src``, export its backbone to ``out`` and return the report.

    ``model``: ``'student'`` (``backbone.*``; for EMAHook checkpoints the raw
    weights of ``ema_state_dict``) or ``'teacher'`` (AutoMix / semi-supervised
    ``teacher.module.backbone.*``, else SelfTuning's key encoder, else the
    EMAHook averaged weights). A CIFAR-stem ResNet is refused unless
    ``allow_cifar_stem`` (then ``conv1.weight`` is dropped). With ``verify`` the
    backbone must load strictly into mmdet's and mmpretrain's ``ResNet``.
    """
    if osp.realpath(src) == osp.realpath(out) or (
            osp.exists(out) and osp.exists(src) and osp.samefile(src, out)):
        raise ConversionError(f'refusing to overwrite the input checkpoint {src!r} with {out!r}')
    ckpt = load_source(src)
    state, report = export_backbone(ckpt, model, allow_cifar_stem, verify, name=src)
    report['source'] = osp.abspath(src)
    report['out'] = osp.abspath(out)
    arch = report['arch']
    meta = dict(source=osp.abspath(src), model=model, source_kind=report['source_kind'],
                backbone_source=report['kept']['source'],
                arch=None if arch is None else dict(arch),
                dropped=dict(report['dropped']), verification=report['verification'],
                mmmix_version=_version())
    if osp.dirname(osp.abspath(out)):
        os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save({'meta': meta, 'state_dict': state}, out)
    return report


def format_report(report: dict) -> str:
    """The report as readable lines (kept / dropped table / arch / verification)."""
    kept = report['kept']
    lines = [f'source : {report["source"]} ({report["source_kind"]})',
             f'model  : {report["model"]} <- {kept["source"]}',
             f'kept   : {kept["tensors"]} tensors, {kept["parameters"]:,} parameters (backbone)']
    dropped = report['dropped']
    lines.append(f'dropped: {sum(dropped.values())} tensors' + ('' if dropped else ' (none)'))
    width = max((len(k) for k in dropped), default=0)
    lines += [f'  {k:<{width}}  {n:>6}' for k, n in dropped.items()]
    arch = report['arch']
    if arch is None:
        lines.append('arch   : unknown (not a ResNet layout)')
    else:
        lines.append(f'arch   : ResNet-{arch["depth"]} ({arch["block"]}, blocks '
                     f'{tuple(arch["stage_blocks"])}), {arch["stem"]} stem, stem_channels '
                     f'{arch["stem_channels"]}, base_channels {arch["base_channels"]}'
                     + (', avg_down' if arch.get('avg_down') else ''))
    lines.append(f'verify : {report["verification"]}')
    lines += [f'note   : {n}' for n in report.get('notes', ())]
    if report.get('out'):
        lines.append(f'written: {report["out"]}')
    return '\n'.join(lines)


__all__ = ['ConversionError', 'MODEL_CHOICES', 'RESNET_ARCHS', 'load_source',
           'extract_backbone', 'infer_resnet_arch', 'resnet_kwargs', 'verify_resnet',
           'to_mmdet_layout', 'to_mmpretrain_layout', 'export_backbone',
           'convert_checkpoint', 'format_report']
