"""ResumableInfiniteSampler: mmengine's InfiniteSampler indices, and a seek that
continues the stream without yielding the skipped indices."""
import itertools

import pytest
from mmengine.dataset import InfiniteSampler

import mmmix  # noqa: F401  (registers the samplers)
from mmmix.datasets import ResumableInfiniteSampler, infinite_indices
from mmmix.registry import DATA_SAMPLERS
from mmmix.utils import ConfigError

DATA = list(range(7))


def _take(sampler, n):
    return list(itertools.islice(iter(sampler), n))


@pytest.mark.parametrize('world', [1, 3])
@pytest.mark.parametrize('shuffle', [True, False])
def test_same_indices_as_mmengine_and_seek_continues(monkeypatch, world, shuffle):
    for rank in range(world):
        monkeypatch.setattr('mmengine.dataset.sampler.get_dist_info', lambda r=rank: (r, world))
        stream = _take(InfiniteSampler(DATA, shuffle=shuffle, seed=5), 60)
        assert _take(ResumableInfiniteSampler(DATA, shuffle=shuffle, seed=5), 60) == stream
        for consumed in (0, 1, 6, 7, 8, 20, 40):
            sampler = ResumableInfiniteSampler(DATA, shuffle=shuffle, seed=5)
            _take(sampler, 3)  # a seek restarts from the start of the stream, not from here
            sampler.seek(consumed)
            assert _take(sampler, 20) == stream[consumed:consumed + 20], (rank, consumed)


def test_seek_refuses_bad_positions():
    sampler = ResumableInfiniteSampler(DATA, seed=0)
    for bad in (-1, 2.0, True, '3'):
        with pytest.raises(ValueError, match=f'ResumableInfiniteSampler: seek\\(consumed={bad!r}'):
            sampler.seek(bad)
    with pytest.raises(ValueError, match='size=0'):
        infinite_indices(0, seed=0)


def test_built_from_the_registry_with_strict_keys():
    sampler = DATA_SAMPLERS.build(dict(type='mmmix.ResumableInfiniteSampler', seed=1),
                                  default_args=dict(dataset=DATA))
    assert isinstance(sampler, ResumableInfiniteSampler)
    with pytest.raises(ConfigError, match='shufle'):
        DATA_SAMPLERS.build(dict(type='mmmix.ResumableInfiniteSampler', shufle=False),
                            default_args=dict(dataset=DATA))
