"""Torch threads and dataloader workers chosen from the available cores."""
import pytest
import torch
from mmengine.config import Config

from mmmix.utils import threads as T
from mmmix.utils.validation import ConfigError


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(T.os, 'sched_getaffinity', lambda pid: {0, 1}, raising=False)
    monkeypatch.delenv('OMP_NUM_THREADS', raising=False)
    monkeypatch.delenv('LOCAL_WORLD_SIZE', raising=False)
    saved = torch.get_num_threads()
    yield monkeypatch
    torch.set_num_threads(saved)


def test_threads_are_the_cores_left_after_the_workers(two_cores):
    plan = T.plan_threads(config_workers=2)
    assert (plan.cores, plan.threads, plan.workers) == (2, 1, 2)
    assert T.plan_threads(config_workers=0).threads == 2
    assert T.plan_threads(config_workers=8).workers == 2  # never more workers than cores
    assert 'override with --threads' in plan.describe(2)


def test_affinity_ranks_and_the_environment_are_respected(two_cores):
    two_cores.setattr(T.os, 'sched_getaffinity', lambda pid: set(range(16)), raising=False)
    two_cores.setenv('LOCAL_WORLD_SIZE', '4')  # 4 ranks on this machine: 4 cores each
    plan = T.plan_threads(config_workers=2)
    assert (plan.cores, plan.threads) == (4, 2)
    two_cores.setenv('OMP_NUM_THREADS', '3')
    assert T.plan_threads(config_workers=2).threads == 3
    assert T.plan_threads(config_workers=2, threads=1).threads == 1  # the flag wins
    two_cores.setenv('OMP_NUM_THREADS', 'many')
    with pytest.raises(ConfigError, match="OMP_NUM_THREADS='many'"):
        T.plan_threads(config_workers=2)


def test_bad_flags_are_named(two_cores):
    with pytest.raises(ConfigError, match='--threads=0'):
        T.plan_threads(2, threads=0)
    with pytest.raises(ConfigError, match='--workers=-1'):
        T.plan_threads(2, workers=-1)


def test_apply_sets_torch_threads_and_caps_the_loaders(two_cores):
    cfg = Config(dict(train_dataloader=dict(num_workers=4, persistent_workers=True),
                      val_dataloader=dict(num_workers=0), test_dataloader=None))
    plan = T.plan_threads(T.config_workers(cfg))
    assert plan.workers == 2
    T.apply_thread_plan(cfg, plan)
    assert torch.get_num_threads() == plan.threads == 1
    assert cfg.train_dataloader.num_workers == 2 and cfg.val_dataloader.num_workers == 0
    assert cfg.val_dataloader.persistent_workers is False
    T.apply_thread_plan(cfg, T.plan_threads(T.config_workers(cfg), workers=0))
    assert cfg.train_dataloader.num_workers == 0 and not cfg.train_dataloader.persistent_workers
    assert torch.get_num_threads() == 2


def test_benchmarks_take_the_available_cores(two_cores, capsys):
    assert T.set_benchmark_threads().threads == 2 == torch.get_num_threads()
    assert 'torch threads 2 (available cores)' in capsys.readouterr().out
    two_cores.setenv('OMP_NUM_THREADS', '1')
    assert T.set_benchmark_threads().threads == 1
    assert T.set_benchmark_threads(threads=2).reason == '--threads'
