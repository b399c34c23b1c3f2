"""Child registries of mmpretrain's, with scope ``mmmix``.

Two ways to reach mmmix types:

* mmmix configs set ``default_scope = 'mmmix'``; unprefixed names are looked up
  here first and then in the parent (mmpretrain, then mmengine), so every
  mmpretrain type keeps working without a prefix.
* stock mmpretrain (or mmdet) configs add
  ``custom_imports = dict(imports=['mmmix'])`` and name mmmix types as
  ``type='mmmix.Name'``.
"""
from mmengine.registry import Registry
from mmpretrain import registry as pre

__all__ = [
    'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS', 'HOOKS', 'LOG_PROCESSORS',
    'OPTIMIZERS', 'OPTIM_WRAPPERS', 'OPTIM_WRAPPER_CONSTRUCTORS',
    'PARAM_SCHEDULERS', 'DATASETS', 'DATA_SAMPLERS', 'TRANSFORMS', 'MODELS',
    'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS', 'BATCH_AUGMENTS', 'TASK_UTILS',
    'METRICS', 'EVALUATORS', 'VISUALIZERS', 'VISBACKENDS'
]


def _child(parent: Registry, locations=()) -> Registry:
    # A child's lookup falls back to its parents but never imports their
    # modules; import mmpretrain's so its types resolve under scope 'mmmix'.
    parent.import_from_location()
    child = Registry(parent.name, parent=parent, scope='mmmix', locations=list(locations))
    # 'mmmix.Name' from a sibling scope (e.g. a stock mmdet config) is looked up
    # among the *root's* children only; mmmix sits below mmpretrain, so make it
    # reachable from the root too (the same registry object, not a copy).
    root = parent._get_root_registry()
    root._children.setdefault('mmmix', child)
    return child


_ENGINE = ['mmmix.engine']
RUNNERS = _child(pre.RUNNERS, _ENGINE)
RUNNER_CONSTRUCTORS = _child(pre.RUNNER_CONSTRUCTORS, _ENGINE)
LOOPS = _child(pre.LOOPS, _ENGINE)
HOOKS = _child(pre.HOOKS, _ENGINE)
LOG_PROCESSORS = _child(pre.LOG_PROCESSORS, _ENGINE)
OPTIMIZERS = _child(pre.OPTIMIZERS, _ENGINE)
OPTIM_WRAPPERS = _child(pre.OPTIM_WRAPPERS, _ENGINE)
OPTIM_WRAPPER_CONSTRUCTORS = _child(pre.OPTIM_WRAPPER_CONSTRUCTORS, _ENGINE)
PARAM_SCHEDULERS = _child(pre.PARAM_SCHEDULERS, _ENGINE)

DATASETS = _child(pre.DATASETS, ['mmmix.datasets'])
DATA_SAMPLERS = _child(pre.DATA_SAMPLERS, ['mmmix.datasets'])
TRANSFORMS = _child(pre.TRANSFORMS, ['mmmix.datasets'])

MODELS = _child(pre.MODELS, ['mmmix.models', 'mmmix.mixers'])
MODEL_WRAPPERS = _child(pre.MODEL_WRAPPERS, ['mmmix.models'])
WEIGHT_INITIALIZERS = _child(pre.WEIGHT_INITIALIZERS, ['mmmix.models'])
BATCH_AUGMENTS = _child(pre.BATCH_AUGMENTS, ['mmmix.mixers'])
TASK_UTILS = _child(pre.TASK_UTILS, ['mmmix.models'])

METRICS = _child(pre.METRICS, ['mmmix.evaluation'])
EVALUATORS = _child(pre.EVALUATORS, ['mmmix.evaluation'])

VISUALIZERS = _child(pre.VISUALIZERS, ['mmmix.visualization'])
VISBACKENDS = _child(pre.VISBACKENDS, ['mmmix.visualization'])
