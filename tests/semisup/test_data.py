"""Batch composition (mmdet's MultiSourceSampler + MultiBranch) and the
build-time errors of the semi-supervised data and models."""
import copy

import pytest
from mmengine.dataset import pseudo_collate

from mmmix.registry import DATA_SAMPLERS, DATASETS, MODELS
from mmmix.utils.validation import ConfigError
from semisup_utils import (SYNTHETIC_FIXMATCH, load_cfg, mmmix_scope, one_thread,  # noqa: F401
                           point_cfg_at, semisup_root)


def _dataset_cfg(root):
    cfg = point_cfg_at(load_cfg(SYNTHETIC_FIXMATCH), root)
    return copy.deepcopy(cfg.train_dataloader.dataset.to_dict()), cfg


def test_batches_hold_one_labeled_per_mu_unlabeled(semisup_root):
    ds_cfg, cfg = _dataset_cfg(semisup_root)
    ds = DATASETS.build(ds_cfg)
    n_lab, n_all = ds.cumulative_sizes
    assert (n_lab, n_all) == (40, 60)
    sampler = DATA_SAMPLERS.build(dict(type='SemiSupSampler', batch_size=8, mu=3, seed=0),
                                  default_args=dict(dataset=ds))
    it = iter(sampler)
    for _ in range(5):  # labeled first, then B * mu unlabeled, in every batch
        idx = [next(it) for _ in range(8)]
        assert all(i < n_lab for i in idx[:2]) and all(n_lab <= i < n_all for i in idx[2:])
    model = MODELS.build(dict(type='FixMatch', **{k: v for k, v in cfg.model.items()
                                                  if k != 'type'},
                              data_preprocessor=cfg.data_preprocessor.to_dict()))
    batch = pseudo_collate([ds[i] for i in idx])
    data = model.data_preprocessor(batch, training=True)
    assert data['inputs']['weak'].shape == (8, 3, 32, 32)
    assert data['inputs']['strong'].shape == (6, 3, 32, 32)
    weak = data['data_samples']['weak']
    assert ['gt_label' in d for d in weak] == [True] * 2 + [False] * 6
    assert [d.batch_pos for d in data['data_samples']['strong']] == list(range(2, 8))
    x_l, y_l, u = model.split_batch(data['inputs'], data['data_samples'], ('weak', 'strong'))
    assert x_l.shape[0] == 2 and y_l.shape == (2, ) and u['strong'].shape[0] == 6
    # the strong view is the same image as the weak one, augmented harder
    assert not (u['strong'] == u['weak']).all()


def test_sampler_splits_ranks(semisup_root, monkeypatch):
    ds = DATASETS.build(_dataset_cfg(semisup_root)[0])
    seen = []
    for rank in (0, 1):
        monkeypatch.setattr('mmdet.datasets.samplers.multi_source_sampler.get_dist_info',
                            lambda r=rank: (r, 2))
        it = iter(build_sampler(ds))
        seen.append([next(it) for _ in range(8)])
    # each rank gets 2 labeled + 6 unlabeled, and different samples
    for idx in seen:
        assert all(i < 40 for i in idx[:2]) and all(i >= 40 for i in idx[2:])
    assert seen[0] != seen[1]


def build_sampler(ds):
    return DATA_SAMPLERS.build(dict(type='SemiSupSampler', batch_size=8, mu=3, seed=1),
                               default_args=dict(dataset=ds))


def test_unlabeled_set_without_a_strong_view_is_refused(semisup_root):
    ds_cfg, _ = _dataset_cfg(semisup_root)
    branch = ds_cfg['unlabeled']['pipeline'][1]
    del branch['strong']
    with pytest.raises(ConfigError, match=r"unlabeled pipeline has no \['strong'\] branch"):
        DATASETS.build(ds_cfg)
    ds_cfg['unlabeled']['pipeline'] = ds_cfg['unlabeled']['pipeline'][:1]
    with pytest.raises(ConfigError, match='no MultiBranch'):
        DATASETS.build(ds_cfg)


def test_unlabeled_set_with_labels_is_refused(semisup_root):
    ds_cfg, _ = _dataset_cfg(semisup_root)
    ds_cfg['unlabeled']['ann_file'] = ds_cfg['labeled']['ann_file']
    ds_cfg['unlabeled']['with_label'] = True
    with pytest.raises(ConfigError, match='unlabeled dataset carries labels'):
        DATASETS.build(ds_cfg)


@pytest.mark.parametrize('kwargs, match', [
    (dict(batch_size=10, mu=3), 'multiple of 1 \\+ mu = 4'),
    (dict(batch_size=8, mu=0), 'mu=0'),
    (dict(batch_size=8, mu=1.5), 'mu=1.5'),
    (dict(batch_size=8, mu=3, ratio=2), 'unknown config key'),
])
def test_bad_ratio_is_refused(semisup_root, kwargs, match):
    ds = DATASETS.build(_dataset_cfg(semisup_root)[0])
    with pytest.raises(ConfigError, match=match):
        DATA_SAMPLERS.build(dict(type='SemiSupSampler', **kwargs), default_args=dict(dataset=ds))


_NET = dict(backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=4, in_channels=128))


@pytest.mark.parametrize('type_, kwargs, match', [
    ('FixMatch', dict(teacher='mean'), "teacher='mean'; valid choices are \\['none', 'ema'\\]"),
    ('MixMatch', dict(teacher='student'), "teacher='student'"),
    ('FixMatch', dict(tau=1.5), 'tau=1.5'),
    ('FixMatch', dict(mix_loss='bce'), "mix_loss='bce'"),
    ('FixMatch', dict(asym='both'), "asym='both'"),
    ('FixMatch', dict(mixers=['vanilla']), 'exactly one mixer'),
    ('FixMatch', dict(mixers=[dict(type='NoSuchMix')]), 'unknown mixer type'),
    ('FixMatch', dict(mixers=[dict(type='Mixup', dist_mode='global')]), "dist_mode='global'"),
    ('FixMatch', dict(lambda_uu=1.0), "unknown config key\\(s\\) \\['lambda_uu'\\]"),
    ('MixMatch', dict(num_views=0), 'num_views=0'),
    ('MixMatch', dict(T=0), 'T=0'),
])
def test_model_config_errors(type_, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        MODELS.build(dict(type=type_, **copy.deepcopy(_NET), **kwargs))
