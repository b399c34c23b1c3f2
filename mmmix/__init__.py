"""mmmix: mixup data augmentation for the OpenMMLab 2.x stack.

Importing mmmix registers its mixers, heads, classifiers, datasets, metrics and
hooks in child registries (scope ``mmmix``) of mmpretrain's, and applies the
shims of :mod:`mmmix.utils.compat` (each listed there with its reason): the
classes mmengine checkpoints need are allowlisted under
``torch.load(weights_only=True)``, and mmengine loads local and URL checkpoints
weights-only.
It needs no mmdet and no compiled mmcv ops; the parts that reuse mmdet are
listed in :mod:`mmmix.utils.optional`.
"""
from .utils.compat import (patch_cpu_distributed, register_checkpoint_safe_globals,
                           register_weights_only_loaders)
from .utils.optional import require_mmcv
from .version import __version__

require_mmcv()  # mmcv-lite or mmcv: not an install requirement, see mmmix.utils.optional
register_checkpoint_safe_globals()
register_weights_only_loaders()
patch_cpu_distributed()

from . import registry  # noqa: E402,F401
from . import datasets, engine, evaluation, mixers, models, visualization  # noqa: E402,F401

__all__ = ['__version__', 'registry', 'datasets', 'engine', 'evaluation', 'mixers', 'models',
           'visualization']
