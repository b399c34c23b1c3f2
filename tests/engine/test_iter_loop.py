"""mmmix.IterBasedTrainLoop: a resume seeks the sampler instead of loading the
trained batches, and falls back to mmengine's replay when it cannot."""
from types import SimpleNamespace

import pytest
from mmengine.dataset import InfiniteSampler
from torch.utils.data import BatchSampler, DataLoader, Dataset

from mmmix.datasets import ResumableInfiniteSampler
from mmmix.engine import IterBasedTrainLoop
from mmmix.registry import LOOPS


class Indices(Dataset):
    """Sample ``i`` is ``i``; records every read."""

    def __init__(self, n):
        self.n, self.reads = n, []

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.reads.append(i)
        return i


class GroupingBatchSampler(BatchSampler):
    """Stands for mmdet's AspectRatioBatchSampler (not plain batch_size groups)."""


def _loop(sampler_type=ResumableInfiniteSampler, batch_sampler=None, at=0):
    data = Indices(10)
    sampler = sampler_type(data, shuffle=True, seed=3)
    if batch_sampler is None:
        loader = DataLoader(data, batch_size=4, sampler=sampler)
    else:
        loader = DataLoader(data, batch_sampler=batch_sampler(sampler, 4, drop_last=True))
    loop = IterBasedTrainLoop(SimpleNamespace(visualizer=SimpleNamespace()), loader, max_iters=9)
    loop._iter = at  # as Runner.resume sets it
    return loop, data


def test_registered_for_configs():
    assert LOOPS.get('mmmix.IterBasedTrainLoop') is IterBasedTrainLoop


@pytest.mark.parametrize('batch_sampler', [None, BatchSampler])
def test_resume_seeks_and_loads_only_the_rest(batch_sampler):
    full, _ = _loop(batch_sampler=batch_sampler)
    batches = [next(full.dataloader_iterator).tolist() for _ in range(7)]
    loop, data = _loop(batch_sampler=batch_sampler, at=4)
    assert loop.seek_sampler()
    # mmengine's run() then draws `iter` batches to skip them: they are absorbed
    assert [next(loop.dataloader_iterator) for _ in range(4)] == [None] * 4
    assert data.reads == []
    assert [next(loop.dataloader_iterator).tolist() for _ in range(3)] == batches[4:]
    assert data.reads == sum(batches[4:], [])


@pytest.mark.parametrize('sampler_type,batch_sampler,reason', [
    (InfiniteSampler, None, 'the sampler InfiniteSampler has no seek'),
    (ResumableInfiniteSampler, GroupingBatchSampler, 'batch sampler GroupingBatchSampler'),
])
def test_falls_back_to_the_replay(monkeypatch, sampler_type, batch_sampler, reason):
    logged = []
    monkeypatch.setattr('mmmix.engine.loops.print_log', lambda msg, **kw: logged.append(msg))
    full, _ = _loop(sampler_type, batch_sampler)
    batches = [next(full.dataloader_iterator).tolist() for _ in range(3)]
    loop, _ = _loop(sampler_type, batch_sampler, at=2)
    assert not loop.seek_sampler()
    assert len(logged) == 1 and reason in logged[0] and 'iteration 2' in logged[0]
    # mmengine's replay: the stream is untouched, the skipped batches are read
    assert [next(loop.dataloader_iterator).tolist() for _ in range(3)] == batches
