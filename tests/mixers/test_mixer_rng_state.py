"""The mixers' private generator state: read and restored (checkpointed by
mmmix.RNGStateHook)."""
import pytest
import torch

import mmmix  # noqa: F401  (registers the mixers)
from mmmix.registry import BATCH_AUGMENTS


def _mixer(name, seed=3):
    return BATCH_AUGMENTS.build(dict(type=f'mmmix.{name}', alpha=1.0, lam_mode='elem', seed=seed))


def _draw(mixer):
    x = torch.arange(4 * 3 * 8 * 8, dtype=torch.float32).view(4, 3, 8, 8)
    r = mixer.sample(x)
    return r.inputs, r.lam, r.index


@pytest.mark.parametrize('name', ['Mixup', 'CutMix', 'FMix', 'ResizeMix'])
def test_generator_state_round_trip(name):
    mixer = _mixer(name)
    _draw(mixer)  # move away from the seed
    state = mixer.get_rng_state()
    first = _draw(mixer)
    assert not torch.equal(mixer.get_rng_state(), state), 'the state must be a copy'
    mixer.set_rng_state(state)
    assert all(torch.equal(a, b) for a, b in zip(_draw(mixer), first))
    # into a fresh mixer of the same seed: continues where the first one was
    fresh = _mixer(name)
    fresh.set_rng_state(state)
    assert all(torch.equal(a, b) for a, b in zip(_draw(fresh), first))


def test_state_without_seed_and_mismatches():
    plain, seeded = _mixer('Mixup', seed=None), _mixer('Mixup')
    assert plain.get_rng_state() is None
    plain.set_rng_state(None)
    with pytest.raises(ValueError, match='Mixup: a generator state for a mixer built without'):
        plain.set_rng_state(seeded.get_rng_state())
    with pytest.raises(ValueError, match='Mixup: rng state None'):
        seeded.set_rng_state(None)
