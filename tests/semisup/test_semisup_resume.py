"""Resume of the iteration-based semi-supervised recipe: stopped at iteration K
and resumed, a run loads exactly the batches K+1..N of the uninterrupted run
(none of the skipped ones) and computes the same losses and weights."""
import copy

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmmix.datasets import SemiSupDataset
from mmmix.registry import DATA_SAMPLERS, DATASETS
from semisup_utils import (SYNTHETIC_FIXMATCH, load_cfg, mmmix_scope, one_thread,  # noqa: F401
                           point_cfg_at, semisup_root)

N, K, B = 6, 3, 8  # iterations, the stop, samples per batch (2 labeled + 6 unlabeled)


class Record(Hook):
    """Records the loss of every iteration; stops the run after ``stop_at``."""

    def __init__(self, stop_at=None):
        self.losses, self.stop_at = {}, stop_at

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.losses[runner.iter + 1] = outputs['loss'].item()
        if self.stop_at is not None and runner.iter + 1 >= self.stop_at:
            runner.train_loop.stop_training = True  # as a kill right after the checkpoint


@pytest.fixture(scope='module')
def runs(semisup_root, tmp_path_factory):
    """Losses, dataset reads and final weights of: the uninterrupted run, the run
    stopped at K and its resumption (a new Runner with ``resume=True``)."""
    cfg = point_cfg_at(load_cfg(SYNTHETIC_FIXMATCH), semisup_root, batch_size=B, mu=3)
    cfg.train_cfg.max_iters = N
    cfg.train_cfg.val_interval = K
    cfg.param_scheduler[-1].end = N
    cfg.model.mix_ramp_iters = 2
    cfg.model.mixers[0].seed = 5  # a mixer with its own generator
    cfg.model.tau = 0.  # every pseudo-label counts: the mixed term is in the loss
    cfg.default_hooks.checkpoint.interval = K
    cfg.default_hooks.logger.interval = 1
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.log_level = 'WARNING'
    reads = []
    getitem = SemiSupDataset.__getitem__

    def counting(self, idx):
        reads.append(int(idx))
        return getitem(self, idx)

    def train(name, work, resume=False, stop_at=None):
        run_cfg = copy.deepcopy(cfg)
        run_cfg.work_dir, run_cfg.resume, run_cfg.experiment_name = str(work), resume, name
        runner = Runner.from_cfg(run_cfg)
        rec = Record(stop_at)
        runner.register_hook(rec)
        start = len(reads)
        runner.train()
        return dict(losses=rec.losses, reads=reads[start:], iter=runner.iter,
                    weights={k: v.clone() for k, v in runner.model.state_dict().items()})

    root = tmp_path_factory.mktemp('semisup_resume')
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(SemiSupDataset, '__getitem__', counting)
        full = train('full', root / 'full')
        part = train('part', root / 'part', stop_at=K)
        resumed = train('resumed', root / 'part', resume=True)
    return full, part, resumed


def test_resume_loads_only_the_remaining_batches(runs):
    full, part, resumed = runs
    assert len(full['reads']) == N * B and part['reads'] == full['reads'][:K * B]
    assert len(resumed['reads']) == (N - K) * B, \
        f'the resume loaded {len(resumed["reads"]) - (N - K) * B} samples of skipped batches'
    assert resumed['reads'] == full['reads'][K * B:], 'batches K+1..N differ from the full run'
    assert resumed['iter'] == N


def test_resume_repeats_the_losses_and_weights(runs):
    full, part, resumed = runs
    assert sorted(resumed['losses']) == list(range(K + 1, N + 1))
    assert [part['losses'][i] for i in range(1, K + 1)] == \
        [full['losses'][i] for i in range(1, K + 1)]
    assert [resumed['losses'][i] for i in range(K + 1, N + 1)] == \
        [full['losses'][i] for i in range(K + 1, N + 1)]
    for name, value in full['weights'].items():
        assert torch.equal(resumed['weights'][name], value), name


def _stream(sampler, n):
    it = iter(sampler)
    return [next(it) for _ in range(n)]


@pytest.mark.parametrize('world', [1, 2])
def test_semisup_sampler_seeks_whole_batches(semisup_root, monkeypatch, world):
    cfg = point_cfg_at(load_cfg(SYNTHETIC_FIXMATCH), semisup_root)
    ds = DATASETS.build(copy.deepcopy(cfg.train_dataloader.dataset.to_dict()))
    for rank in range(world):
        monkeypatch.setattr('mmdet.datasets.samplers.multi_source_sampler.get_dist_info',
                            lambda r=rank: (r, world))

        def build():
            return DATA_SAMPLERS.build(dict(type='SemiSupSampler', batch_size=8, mu=3, seed=2),
                                       default_args=dict(dataset=ds))

        # 40 labeled / 20 unlabeled: 30 batches wrap both sources several times
        stream = _stream(build(), 8 * 40)
        for batches in (0, 1, 7, 30):
            sampler = build()
            sampler.seek(8 * batches)
            assert _stream(sampler, 8 * 10) == stream[8 * batches:8 * (batches + 10)]
        with pytest.raises(ValueError, match='consumed=12'):
            sampler.seek(12)  # not a whole batch
        for bad in (-8, 8.0, True):
            with pytest.raises(ValueError, match=f'consumed={bad!r}'):
                sampler.seek(bad)

