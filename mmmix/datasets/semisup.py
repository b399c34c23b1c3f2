"""Batches of labeled + unlabeled samples for semi-supervised training.

The machinery is mmdet's semi-supervised one, reused as is:

* :class:`SemiSupDataset` is mmengine's ``ConcatDataset`` of a labeled and an
  unlabeled set (labeled first), with build-time checks of the views;
* :class:`SemiSupSampler` is mmdet's infinite ``MultiSourceSampler`` with a
  ``1 : mu`` ratio: every batch of ``B * (1 + mu)`` indices holds ``B``
  labeled then ``B * mu`` unlabeled samples on every rank;
* mmdet's ``MultiBranch`` transform (registered here under mmmix's scope as
  ``MultiBranch``) gives every sample its views: a labeled sample the
  ``weak`` branch, an unlabeled sample ``weak`` and ``strong`` (FixMatch) or
  ``weak``, ``weak2``, ... (MixMatch's K augmentations). Branches a sample
  does not have are ``None`` and are dropped by
  :class:`~mmmix.models.semisup.SemiSupDataPreprocessor`.

Unlabeled samples carry no ``gt_label`` (``CustomDataset(with_label=False)``
on the unlabeled file of :mod:`mmmix.datasets.splits`); that is how the model
tells them apart.

This module needs mmdet; :mod:`mmmix.datasets` imports it only when mmdet
imports (``mmmix.utils.optional``), and registers placeholders naming mmdet
otherwise.
"""
import copy
from typing import Sequence

from mmdet.datasets.samplers import MultiSourceSampler
from mmdet.datasets.transforms import MultiBranch
from mmengine.dataset import ConcatDataset

from mmmix.datasets.samplers import check_consumed, infinite_indices
from mmmix.registry import DATA_SAMPLERS, DATASETS, TRANSFORMS
from mmmix.utils.validation import ConfigError, StrictKwargs

TRANSFORMS.register_module(name='MultiBranch', module=MultiBranch)

LABELED, UNLABELED = 'labeled', 'unlabeled'


def _branches_of(dataset_cfg, owner: str, part: str):
    """``(branch_field, branches with a pipeline)`` of the MultiBranch in a
    dataset config or built dataset; ConfigError when there is none."""
    if isinstance(dataset_cfg, dict):
        pipeline = dataset_cfg.get('pipeline', [])
    else:
        pipeline = getattr(getattr(dataset_cfg, 'pipeline', None), 'transforms', [])
    for t in pipeline:
        if isinstance(t, dict) and str(t.get('type', '')).split('.')[-1] == 'MultiBranch':
            fields = list(t.get('branch_field', []))
            return fields, [k for k in t if k not in ('type', 'branch_field')]
        if isinstance(t, MultiBranch):
            return list(t.branch_field), list(t.branch_pipelines)
    raise ConfigError(
        f"{owner}: the {part} dataset's pipeline has no MultiBranch transform; give its views "
        "as dict(type='MultiBranch', branch_field=[...], weak=[...], ...)")


@DATASETS.register_module()
class SemiSupDataset(StrictKwargs, ConcatDataset):
    """A labeled and an unlabeled dataset, concatenated in that order.

    Checked when built:

    * both pipelines end in a ``MultiBranch`` with the same ``branch_field``;
    * the labeled pipeline has every branch of ``labeled_branches`` and the
      unlabeled one every branch of ``unlabeled_branches`` (FixMatch: the
      ``strong`` view, i.e. RandAugment + Cutout);
    * labeled samples have a ``gt_label`` and unlabeled ones do not.

    Args:
        labeled (dict): the labeled dataset config (or a built dataset).
        unlabeled (dict): the unlabeled dataset config (or a built dataset).
        labeled_branches (Sequence[str]): views each labeled sample needs.
        unlabeled_branches (Sequence[str]): views each unlabeled sample needs.
    """

    def __init__(self, labeled, unlabeled, labeled_branches: Sequence[str] = ('weak', ),
                 unlabeled_branches: Sequence[str] = ('weak', 'strong'),
                 lazy_init: bool = False):
        owner = type(self).__name__
        fields = {}
        for part, cfg, need in ((LABELED, labeled, labeled_branches),
                                (UNLABELED, unlabeled, unlabeled_branches)):
            fields[part], have = _branches_of(cfg, owner, part)
            missing = [b for b in need if b not in have]
            if missing:
                hint = (' (FixMatch needs a strong view: RandAugment + Cutout)'
                        if 'strong' in missing else '')
                raise ConfigError(f'{owner}: the {part} pipeline has no {missing} branch'
                                  f'{hint}; its MultiBranch defines {have}')
        if fields[LABELED] != fields[UNLABELED]:
            raise ConfigError(f'{owner}: labeled and unlabeled MultiBranch must share one '
                              f'branch_field, got {fields[LABELED]} and {fields[UNLABELED]}')
        datasets = [d if not isinstance(d, dict) else DATASETS.build(copy.deepcopy(d))
                    for d in (labeled, unlabeled)]
        super().__init__(datasets, lazy_init=lazy_init)
        self.branches = list(fields[LABELED])
        if not lazy_init:
            self._check_labels()

    def _check_labels(self):
        lab, unl = self.datasets
        if len(lab) == 0 or len(unl) == 0:
            raise ConfigError(f'{type(self).__name__}: empty labeled ({len(lab)}) or unlabeled '
                              f'({len(unl)}) dataset')
        if 'gt_label' not in lab.get_data_info(0):
            raise ConfigError(f'{type(self).__name__}: the labeled dataset has no gt_label')
        if 'gt_label' in unl.get_data_info(0):
            raise ConfigError(
                f'{type(self).__name__}: the unlabeled dataset carries labels; read its '
                'annotation file without them (CustomDataset(with_label=False) on the '
                'unlabeled file written by tools/dataset_converters/make_semisup_split.py)')

    def full_init(self):
        if self._fully_initialized:
            return
        super().full_init()
        self._check_labels()


@DATA_SAMPLERS.register_module()
class SemiSupSampler(StrictKwargs, MultiSourceSampler):
    """mmdet's infinite ``MultiSourceSampler`` with a labeled : unlabeled
    ratio of ``1 : mu`` (FixMatch's ``mu = 7``).

    Every group of ``batch_size`` indices has ``batch_size / (1 + mu)``
    labeled samples first, then the unlabeled ones; set the dataloader's
    ``batch_size`` to the same value. Infinite: use an iteration-based loop
    (:class:`mmmix.engine.IterBasedTrainLoop` resumes it with :meth:`seek`).

    Args:
        dataset: a :class:`SemiSupDataset` (two sources).
        batch_size (int): per-GPU batch size, a multiple of ``1 + mu``.
        mu (int): unlabeled samples per labeled sample, >= 1.
        shuffle (bool), seed (int, optional): as ``MultiSourceSampler``.
    """

    def __init__(self, dataset, batch_size: int, mu: int = 7, shuffle: bool = True,
                 seed=None):
        owner = type(self).__name__
        if isinstance(mu, bool) or not isinstance(mu, int) or mu < 1:
            raise ConfigError(f'{owner}: mu={mu!r} (unlabeled per labeled sample) must be an '
                              'integer >= 1')
        if (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                or batch_size < 1 + mu or batch_size % (1 + mu)):
            raise ConfigError(
                f'{owner}: batch_size={batch_size!r} must be a positive multiple of 1 + mu = '
                f'{1 + mu} so that every batch holds labeled:unlabeled = 1:{mu} exactly')
        if len(getattr(dataset, 'cumulative_sizes', ())) != 2:
            raise ConfigError(f'{owner}: the dataset must be a SemiSupDataset (labeled + '
                              f'unlabeled), got {type(dataset).__name__}')
        self.mu = mu
        super().__init__(dataset, batch_size=batch_size, source_ratio=[1, mu], shuffle=shuffle,
                         seed=seed)

    def seek(self, consumed: int) -> None:
        """Continue after the first ``consumed`` indices of this rank (whole
        batches), without yielding them; takes effect at the next ``iter()``."""
        batches = check_consumed(consumed, type(self).__name__, self.batch_size) // self.batch_size
        self.source2inds = {
            source: infinite_indices(len(ds), self.seed, self.shuffle, self.rank, self.world_size,
                                     batches * num)
            for source, (ds, num) in enumerate(zip(self.dataset.datasets, self.num_per_source))}


__all__ = ['SemiSupDataset', 'SemiSupSampler', 'MultiBranch']
