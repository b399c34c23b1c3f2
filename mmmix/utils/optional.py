"""Which optional packages each part of mmmix needs, in one place.

The core of mmmix (mixers, mixup heads and losses, ``MixupClassifier``,
``AutoMix``, the semi-supervised *models*, metrics, hooks, synthetic data)
needs only torch, torchvision, mmengine, mmcv (``mmcv-lite`` is enough: no
compiled ops) and mmpretrain. The parts in :data:`OPTIONAL_PARTS` reuse mmdet
and are registered only when their modules import; otherwise their registry
names are placeholders that raise an ``ImportError`` naming the missing
package and how to install it when they are built. ``import mmmix`` never
fails because of them.
"""
import importlib
from typing import Dict, List, Optional

#: mmcv is not an install requirement of mmmix (mmcv-lite and mmcv install the
#: same ``mmcv`` package, so declaring either would clobber the other): either works
#: for the core, the compiled one is needed by :data:`OPTIONAL_PARTS`.
MMCV_INSTALL = ('pip install "mmcv-lite>=2.0.0,<2.2.0" (the light install: classification, '
                'no compiled ops) or mmcv built with its compiled ops ("mmcv>=2.0.0,<2.2.0", '
                'needed by detection and semi-supervised training)')

#: How to get every optional part at once (mmdet needs mmcv's compiled ops).
FULL_INSTALL = ('pip install "mmdet>=3.3.0,<3.4" plus mmcv built with its compiled ops '
                '("mmcv>=2.0.0,<2.2.0", not mmcv-lite), e.g. `pip install "mmmix[full]"` or '
                '`make setup` in a checkout')

#: part -> what it is, the packages it needs, the modules imported to check
#: them, and the registry names it provides (placeholders when they are missing).
OPTIONAL_PARTS: Dict[str, dict] = {
    'semisup': dict(
        title='the semi-supervised data pipeline (FixMatch, MixMatch and Self-Tuning recipes)',
        packages=('mmdet', 'mmcv (with compiled ops)'),
        modules=('mmdet.datasets.samplers', 'mmdet.datasets.transforms'),
        provides=('SemiSupDataset', 'SemiSupSampler', 'MultiBranch')),
    'detection': dict(
        title='the detection heads (the detection transfer configs)',
        packages=('mmdet', 'mmcv (with compiled ops)'),
        modules=('mmdet.models.backbones', 'mmdet.models.layers',
                 'mmdet.models.roi_heads.shared_heads'),
        provides=('ResLayerC4', )),
}

_PROBED: Dict[str, Optional[str]] = {}


def require_mmcv() -> None:
    """Import mmcv, or raise an ImportError saying which mmcv to install."""
    try:
        import mmcv  # noqa: F401
    except ImportError as e:
        raise ImportError(f'mmmix needs mmcv, which does not import here ({type(e).__name__}: '
                          f'{e}); install it with: {MMCV_INSTALL}') from e


def missing_reason(part: str) -> Optional[str]:
    """``None`` when every module of ``part`` imports, else why not (the
    first ``ImportError``). Probed once per process."""
    if part not in OPTIONAL_PARTS:
        raise KeyError(f'unknown optional part {part!r}; known: {sorted(OPTIONAL_PARTS)}')
    if part not in _PROBED:
        reason = None
        for module in OPTIONAL_PARTS[part]['modules']:
            try:
                importlib.import_module(module)
            except ImportError as e:
                reason = f'importing {module} raised {type(e).__name__}: {e}'
                break
        _PROBED[part] = reason
    return _PROBED[part]


def is_available(part: str) -> bool:
    """Whether the optional ``part`` (a key of :data:`OPTIONAL_PARTS`) works here."""
    return missing_reason(part) is None


def missing_message(part: str, name: str) -> str:
    """The error for using ``name`` of ``part`` when its packages are missing."""
    info = OPTIONAL_PARTS[part]
    return (f'{name} belongs to {info["title"]} and requires '
            f'{" and ".join(info["packages"])}, which this environment lacks: '
            f'{missing_reason(part)}. The light install (mmengine, mmcv-lite, mmpretrain) '
            f'covers classification only; install them with: {FULL_INSTALL}.')


def _placeholder(name: str, part: str) -> type:

    def __init__(self, *args, **kwargs):
        raise ImportError(missing_message(part, name))

    doc = f'``{name}`` is unavailable here: building it raises ImportError ({part} needs mmdet).'
    return type(name, (), dict(__init__=__init__, __doc__=doc, __module__=__name__))


def register_placeholders(part: str, registries: Dict[str, object]) -> List[type]:
    """Register, for each ``name -> registry``, a class whose construction
    raises the :func:`missing_message` of ``part``; returns the classes in
    order, to be exported under the same names."""
    provides = OPTIONAL_PARTS[part]['provides']
    if sorted(registries) != sorted(provides):
        raise ValueError(f'{part}: placeholders {sorted(registries)} differ from the names '
                         f'it provides {sorted(provides)}')
    out = []
    for name, registry in registries.items():
        cls = _placeholder(name, part)
        registry.register_module(name=name, module=cls)
        out.append(cls)
    return out


__all__ = ['MMCV_INSTALL', 'FULL_INSTALL', 'OPTIONAL_PARTS', 'require_mmcv', 'missing_reason',
           'is_available', 'missing_message', 'register_placeholders']
