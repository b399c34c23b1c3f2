"""Labeled / unlabeled splits of a training set for semi-supervised learning.

A split is drawn per class from a seed, so it does not depend on the order of
the annotation file beyond the samples' positions, and it is the same on every
machine (numpy's PCG64 generator):

* ``num_per_class=N``: N labeled samples from every class (CIFAR protocol:
  250 / 4000 labels on CIFAR-10 are 25 / 400 per class);
* ``percent=p``: ``round(p / 100 * n_c)`` labeled samples of each class
  (at least one) -- the fine-grained protocol (15 / 30 / 50 %).

Every other sample of the set is unlabeled; the two parts never overlap.
The files are written in mmpretrain's ``CustomDataset`` annotation format:
the labeled file keeps ``"<relpath> <label>"`` lines, the unlabeled file has
``"<relpath>"`` lines only (read it with ``with_label=False``), so the labels
of unlabeled samples never reach the model.
"""
import math
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmmix.utils.validation import ConfigError


def read_annotations(ann_file: str) -> Tuple[List[str], np.ndarray]:
    """``(paths, labels)`` of a ``"<relpath> <label>"`` annotation file."""
    paths, labels = [], []
    with open(ann_file, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.rsplit(' ', 1)
            if len(parts) != 2 or not parts[1].lstrip('-').isdigit():
                raise ValueError(f'{ann_file}:{n}: expected "<relpath> <label>", got {line!r}')
            paths.append(parts[0])
            labels.append(int(parts[1]))
    return paths, np.asarray(labels, dtype=np.int64)


def split_indices(labels: Sequence[int], num_per_class: Optional[int] = None,
                  percent: Optional[float] = None, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """Sorted ``(labeled, unlabeled)`` sample indices of a labeled set.

    Exactly one of ``num_per_class`` / ``percent`` must be given. A class with
    fewer than ``num_per_class`` samples raises :class:`ConfigError`.
    """
    if (num_per_class is None) == (percent is None):
        raise ConfigError('give exactly one of num_per_class (labels per class) and percent '
                          f'(labeled share in %), got num_per_class={num_per_class!r}, '
                          f'percent={percent!r}')
    if num_per_class is not None and (not math.isfinite(float(num_per_class))
                                      or int(num_per_class) != num_per_class or num_per_class < 1):
        raise ConfigError(f'num_per_class={num_per_class!r} must be a positive integer')
    if percent is not None and not 0 < float(percent) <= 100:
        raise ConfigError(f'percent={percent!r} is out of range (0, 100]')
    labels = np.asarray(labels, dtype=np.int64)
    rng = np.random.default_rng(int(seed))
    chosen = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if num_per_class is not None:
            k = int(num_per_class)
            if k > len(members):
                raise ConfigError(f'class {int(c)} has {len(members)} samples, fewer than '
                                  f'num_per_class={k}')
        else:
            k = min(len(members), max(1, int(round(float(percent) / 100. * len(members)))))
        chosen.append(rng.choice(members, size=k, replace=False))
    labeled = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
    unlabeled = np.setdiff1d(np.arange(len(labels)), labeled)
    return labeled, unlabeled


def split_tag(num_per_class: Optional[int] = None, percent: Optional[float] = None,
              seed: int = 0) -> str:
    """File-name tag of a split: ``'4pc_seed0'`` or ``'15pct_seed0'``."""
    size = f'{int(num_per_class)}pc' if num_per_class is not None else f'{percent:g}pct'
    return f'{size}_seed{int(seed)}'


def make_semisup_split(ann_file: str, out_dir: Optional[str] = None,
                       num_per_class: Optional[int] = None, percent: Optional[float] = None,
                       seed: int = 0, prefix: str = 'train') -> Tuple[str, str]:
    """Write the labeled and unlabeled annotation files of ``ann_file``.

    Files: ``{out_dir}/{prefix}_labeled_{tag}.txt`` and
    ``{out_dir}/{prefix}_unlabeled_{tag}.txt`` with ``tag`` from
    :func:`split_tag` (``out_dir`` defaults to the folder of ``ann_file``).
    Returns both paths. Writing the same split twice gives identical files.
    """
    paths, labels = read_annotations(ann_file)
    labeled, unlabeled = split_indices(labels, num_per_class, percent, seed)
    out_dir = out_dir or osp.dirname(osp.abspath(ann_file))
    os.makedirs(out_dir, exist_ok=True)
    tag = split_tag(num_per_class, percent, seed)
    lab_file = osp.join(out_dir, f'{prefix}_labeled_{tag}.txt')
    unl_file = osp.join(out_dir, f'{prefix}_unlabeled_{tag}.txt')
    with open(lab_file, 'w', encoding='utf-8') as f:
        f.writelines(f'{paths[i]} {labels[i]}\n' for i in labeled)
    with open(unl_file, 'w', encoding='utf-8') as f:
        f.writelines(f'{paths[i]}\n' for i in unlabeled)
    return lab_file, unl_file


__all__ = ['read_annotations', 'split_indices', 'split_tag', 'make_semisup_split']
