"""Check the class labels of every dataset against the model's ``num_classes``
before the first step.

A label ``>= num_classes`` in an annotation file builds fine and otherwise
crashes at the first batch that holds it, inside a loss gather that names
neither the file nor the sample; on a large data set that can be hours into
a run. This hook reads the labels the datasets already hold (annotation
only, no image is decoded) when the run starts (``before_run``, after the
Runner has built the loops) and raises a :class:`ConfigError` naming the
dataloader, the annotation file, the sample and ``num_classes``.

Datasets without labels (``with_label=False``, the unlabeled half of a
semi-supervised dataset) are skipped, and so are models with no single
``num_classes`` (detectors). Dataset wrappers (``ConcatDataset``,
``RepeatDataset``, ``ClassBalancedDataset``, mmmix's ``SemiSupDataset``) are
walked down to their leaves.
"""
from typing import Iterator, Optional, Tuple

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmmix.registry import HOOKS
from mmmix.utils.validation import ConfigError

#: the runner attributes of the loops whose datasets are checked
_LOOPS = ('train_loop', 'val_loop', 'test_loop')


def model_num_classes(model) -> Optional[int]:
    """The one ``num_classes`` of the model's heads (``None`` if there is none or
    the heads disagree)."""
    if is_model_wrapper(model):
        model = model.module
    found = {m.num_classes for m in model.modules()
             if type(m).__name__.endswith('Head') and isinstance(getattr(m, 'num_classes', None),
                                                                    int)}
    return found.pop() if len(found) == 1 else None


def leaf_datasets(dataset, name: str = 'dataset') -> Iterator[Tuple[str, object]]:
    """``(path, dataset)`` of every leaf under dataset wrappers."""
    children = getattr(dataset, 'datasets', None)
    if isinstance(children, (list, tuple)):
        for i, child in enumerate(children):
            yield from leaf_datasets(child, f'{name}.datasets[{i}]')
        return
    inner = getattr(dataset, 'dataset', None)
    if inner is not None and inner is not dataset and hasattr(inner, '__len__'):
        yield from leaf_datasets(inner, f'{name}.dataset')
        return
    yield name, dataset


def _has_labels(dataset) -> bool:
    try:
        return len(dataset) > 0 and 'gt_label' in dataset.get_data_info(0)
    except Exception:  # a dataset without mmengine's data-info interface
        return False


def check_labels(dataset, num_classes: int, where: str) -> int:
    """Raise :class:`ConfigError` at the first label outside ``[0, num_classes)``;
    return the number of labels checked."""
    checked = 0
    for path, leaf in leaf_datasets(dataset):
        if not _has_labels(leaf):
            continue
        labels = leaf.get_gt_labels()
        if labels.dtype == object:  # multi-label: one array per sample
            bad = [i for i, y in enumerate(labels)
                   if np.any((np.asarray(y) < 0) | (np.asarray(y) >= num_classes))]
        else:
            bad = np.flatnonzero((labels < 0) | (labels >= num_classes)).tolist()
        checked += len(labels)
        if bad:
            i = bad[0]
            info = leaf.get_data_info(i)
            source = getattr(leaf, 'ann_file', '') or type(leaf).__name__
            sample = info.get('img_path', f'index {i}')
            raise ConfigError(
                f'{where}.{path}: sample {i} ({sample}) of {source} has label '
                f'{np.asarray(labels[i]).tolist()}, outside [0, {num_classes}) for the model\'s '
                f'num_classes={num_classes}; {len(bad)} sample(s) are out of range. Fix the '
                f'annotation file or set the head\'s num_classes.')
    return checked


@HOOKS.register_module()
class LabelCheckHook(Hook):
    """Refuse a run whose dataset labels do not fit the model's ``num_classes``.

    In mmmix's default runtime as ``default_hooks.label_check``; switch it off with
    ``default_hooks=dict(label_check=dict(enable=False))`` (mmengine refuses ``None``
    for a default hook it does not know).

    Args:
        enable (bool): check (default) or do nothing.
    """

    priority = 'VERY_HIGH'

    def __init__(self, enable: bool = True):
        if not isinstance(enable, bool):
            raise ConfigError(f'LabelCheckHook: enable={enable!r} must be True or False')
        self.enable = enable

    def before_run(self, runner) -> None:
        if not self.enable:
            return
        num_classes = model_num_classes(runner.model)
        if num_classes is None:
            return
        for attr in _LOOPS:
            loop = getattr(runner, f'_{attr}', None)
            dataloader = getattr(loop, 'dataloader', None)  # built loops only
            if dataloader is None:
                continue
            where = attr.replace('_loop', '_dataloader')
            n = check_labels(dataloader.dataset, num_classes, where)
            if n:
                print_log(f'LabelCheckHook: {n} labels of {where} are within '
                          f'[0, {num_classes})', logger='current')
