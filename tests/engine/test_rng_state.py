"""RNGStateHook: the global and the model's generators saved in checkpoints and
restored on resume, so a stopped and resumed run repeats the uninterrupted one."""
import random
from types import SimpleNamespace

import numpy as np
import torch
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from conftest import ROOT
from mmmix.engine.hooks import rng_state as R
from mmmix.registry import HOOKS, MODELS

MIXERS = (dict(type='CutMix', alpha=1.0, seed=1), dict(type='Mixup', alpha=1.0), 'vanilla')


def _draws():
    return random.random(), float(np.random.normal()), float(np.random.rand()), torch.rand(3)


def _same(a, b):
    return all(torch.equal(x, y) if torch.is_tensor(x) else x == y for x, y in zip(a, b))


def _plain(value) -> bool:
    """Only what torch.load(weights_only=True) takes without an allowlist."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return value is None or torch.is_tensor(value) or type(value) in (int, float, str, bool)


def _model(tmp_path, cls_cfg_factory):
    cfg = cls_cfg_factory(str(tmp_path), tmp_path, mixers=MIXERS)
    cfg.model.mix_seed = 2
    with DefaultScope.overwrite_default_scope('mmmix'):
        return MODELS.build(cfg.model)


def test_global_state_round_trip_through_a_checkpoint(tmp_path):
    np.random.normal()  # leaves a cached gaussian in numpy's state
    state = R.global_rng_state()
    assert _plain(state)
    torch.save(state, tmp_path / 'state.pth')
    expected = _draws()
    R.set_global_rng_state(torch.load(tmp_path / 'state.pth', weights_only=True))
    assert _same(_draws(), expected)


def test_model_generators_and_their_restore(tmp_path, cls_cfg_factory, monkeypatch):
    model = _model(tmp_path, cls_cfg_factory)
    holders = R.model_generators(model)
    # the seeded and the unseeded mixer, and the mixer choice of mix_seed
    assert set(holders) == {'mixers.0', 'mixers.1', '_mix_gen'}
    hook, runner = R.RNGStateHook(), SimpleNamespace(model=model)
    state = hook.rng_state(runner)
    assert state['model']['mixers.1'] is None and _plain(state)

    def draws():
        return (model.mixers[0].sample_lam(4), torch.rand(4, generator=model._mix_gen)) + _draws()

    expected = draws()
    assert not _same(draws(), expected)
    hook.load_rng_state(runner, state)
    assert _same(draws(), expected)
    # a generator the checkpoint lacks (or holds in excess) is named in a warning
    logged = []
    monkeypatch.setattr(R, 'print_log', lambda msg, **kw: logged.append(msg))
    state['model']['gone'] = state['model'].pop('_mix_gen')
    hook.load_rng_state(runner, state)
    assert len(logged) == 1 and "'_mix_gen'" in logged[0] and "'gone'" in logged[0]


def test_validation_leaves_the_global_generators_alone(tmp_path, cls_cfg_factory):
    hook = R.RNGStateHook()
    runner = SimpleNamespace(model=_model(tmp_path, cls_cfg_factory))
    before = R.global_rng_state()
    expected = _draws()
    R.set_global_rng_state(before)
    hook.before_val(runner)
    _draws()
    checkpoint = {}  # a best checkpoint saved during validation
    hook.before_save_checkpoint(runner, checkpoint)
    hook.after_val(runner)
    assert _same(_draws(), expected)
    assert torch.equal(checkpoint[R.CHECKPOINT_KEY]['torch'], before['torch'])


def test_restores_on_resume_only(tmp_path, cls_cfg_factory):
    hook = R.RNGStateHook()
    runner = SimpleNamespace(model=_model(tmp_path, cls_cfg_factory), iter=0, cfg=Config())
    checkpoint = dict(meta=dict(iter=5))
    hook.before_save_checkpoint(runner, checkpoint)
    expected = _draws()
    hook.after_load_checkpoint(runner, checkpoint)  # load_from: the run starts at 0
    hook.before_train(runner)
    assert not _same(_draws(), expected)
    runner.iter = 5  # resume: Runner.resume set the loop to the checkpoint's iteration
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train(runner)
    assert _same(_draws(), expected)



def test_diff_rank_seed_keeps_the_other_ranks_global_seeds(tmp_path, cls_cfg_factory,
                                                            monkeypatch):
    model = _model(tmp_path, cls_cfg_factory)
    hook = R.RNGStateHook()
    runner = SimpleNamespace(model=model, iter=5, cfg=Config(dict(randomness=dict(
        seed=0, diff_rank_seed=True))))
    checkpoint = dict(meta=dict(iter=5))
    hook.before_save_checkpoint(runner, checkpoint)  # on rank 0
    lam, expected = model.mixers[0].sample_lam(4), _draws()
    monkeypatch.setattr(R.dist, 'get_rank', lambda *a: 1)
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train(runner)
    assert torch.equal(model.mixers[0].sample_lam(4), lam)  # the model's: restored
    assert not _same(_draws(), expected)  # the global ones: rank 1 keeps its own

def test_every_config_gets_the_hook():
    cfg = Config.fromfile(f'{ROOT}/configs/_base_/default_runtime.py')
    assert HOOKS.get(cfg.default_hooks.rng_state.type) is R.RNGStateHook


class Record(Hook):
    """Records the loss of every iteration; stops the run after ``stop_epoch``."""

    def __init__(self, stop_epoch=None):
        self.losses, self.stop_epoch = {}, stop_epoch

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.losses[runner.iter + 1] = outputs['loss'].item()

    def after_train_epoch(self, runner):
        if self.stop_epoch is not None and runner.epoch + 1 >= self.stop_epoch:
            runner.train_loop.stop_training = True  # as a kill right after the checkpoint


def test_epoch_based_resume_repeats_the_losses(synthetic_cls_root, cls_cfg_factory, tmp_path):
    """Seeded CutMix, unseeded Mixup (the global torch generator), mix_seed and
    RandomFlip (numpy); validation after every epoch, between save and resume."""

    def train(name, work, resume=False, stop_epoch=None):
        cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=3, batch_size=4,
                              mixers=MIXERS)
        cfg.model.mix_seed = 2
        cfg.default_hooks.rng_state = dict(type='mmmix.RNGStateHook')
        cfg.resume, cfg.experiment_name = resume, name
        runner = Runner.from_cfg(cfg)
        rec = Record(stop_epoch)
        runner.register_hook(rec)
        runner.train()
        return rec.losses, runner.model.state_dict()

    full, full_weights = train('full', tmp_path / 'full')
    part, _ = train('part', tmp_path / 'part', stop_epoch=1)
    resumed, weights = train('resumed', tmp_path / 'part', resume=True)
    assert sorted(full) == list(range(1, 7)) and sorted(part) == [1, 2]
    assert sorted(resumed) == [3, 4, 5, 6]
    assert [resumed[i] for i in range(3, 7)] == [full[i] for i in range(3, 7)]
    for name, value in full_weights.items():
        assert torch.equal(weights[name], value), name
