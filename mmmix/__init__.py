"""mmmix: mixup data augmentation for the OpenMMLab 2.x stack.

Importing mmmix registers its mixers, heads, classifiers, datasets, metrics and
hooks in child registries (scope ``mmmix``) of mmpretrain's, and allowlists the
classes mmengine checkpoints need under ``torch.load(weights_only=True)``.
"""
from .utils.compat import patch_cpu_distributed, register_checkpoint_safe_globals
from .version import __version__

register_checkpoint_safe_globals()
patch_cpu_distributed()

from . import registry  # noqa: E402,F401
from . import datasets, engine, evaluation, mixers, models, visualization  # noqa: E402,F401

__all__ = ['__version__', 'registry', 'datasets', 'engine', 'evaluation', 'mixers', 'models',
           'visualization']
