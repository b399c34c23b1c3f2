"""Every registered mixer on edge-case batches: a batch of 1 (the trailing
batch of an epoch with ``drop_last=False``) is used unmixed with one warning
per mixer, and integer inputs are rejected with an error naming the dtype."""
import logging

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger
from torch import nn

import mmmix  # noqa: F401  (registers the mixers)
from mmmix.mixers.base import BaseMixer
from mmmix.mixers.manifoldmix import StageAccess
from mmmix.registry import BATCH_AUGMENTS

#: options that make the model-guided mixers fit a 16x16 batch / 3 stages
OPTIONS = {'PuzzleMix': dict(block_num=(2, 4)), 'CoMixup': dict(block_num=(2, 4)),
           'ManifoldMix': dict(layers=(0, 1))}
REGISTERED = sorted(name for name, cls in BATCH_AUGMENTS.module_dict.items()
                    if isinstance(cls, type) and issubclass(cls, BaseMixer))
LAM_MODES = ('batch', 'elem')


def context(mixer, x):
    """What MixupClassifier would supply for ``mixer.requires``."""
    n = x.shape[0]
    g = torch.Generator().manual_seed(1)
    values = dict(input_grad=torch.randn(x.shape, generator=g),
                  guide_feats=torch.rand(n, 8, 4, 4, generator=g),
                  stages=StageAccess([nn.Identity() for _ in range(3)]))
    return {key: values[key] for key in mixer.requires}


def make(name, **kwargs):
    return BATCH_AUGMENTS.build(dict(type=name, **OPTIONS.get(name, {}), **kwargs))


@pytest.fixture
def warnings_logged():
    """WARNING records of mmengine's current logger (where print_log goes)."""
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_every_registered_mixer_is_covered():
    assert len(REGISTERED) >= 11 and 'CoMixup' in REGISTERED


# ---------------------------------------------------------------- batch of 1
@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', REGISTERED)
def test_batch_of_one_is_used_unmixed(name, lam_mode, warnings_logged):
    x = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    mixer = make(name, lam_mode=lam_mode)
    ctx = context(mixer, x)
    for seed in range(3):
        result = mixer.sample(x.clone(), generator=torch.Generator().manual_seed(seed),
                              with_mask=True, **ctx)
        assert torch.equal(result.inputs, x)
        assert result.index.dtype == torch.long and result.index.tolist() == [0]
        assert result.lam.dtype == torch.float32 and result.lam.tolist() == [1.0]
        assert not result.gathered
        if mixer.has_mask:
            assert result.mask.shape == (1, 1, 16, 16) and bool((result.mask == 1).all())
            assert result.mask.mean((1, 2, 3)).tolist() == result.lam.tolist()
        else:
            assert result.mask is None
        if result.shares is not None:  # Co-Mixup: the single input is the only source
            assert result.shares.tolist() == [[1.0]]
        y_a, y_b = result.pair_labels(torch.tensor([3]))
        assert y_a.tolist() == y_b.tolist() == [3]
        onehot = F.one_hot(torch.tensor([3]), 5).float()
        assert torch.equal(result.mix_scores(onehot), onehot)
    if 'stages' in ctx:  # ManifoldMix: no stage hook left to mix the next forward
        assert all(len(m._forward_pre_hooks) == 0 for m in ctx['stages'].modules)
    # said once per mixer instance, naming the mixer
    mine = [r for r in warnings_logged if name in r.getMessage()]
    assert len(mine) == 1 and 'batch of 1' in mine[0].getMessage()
    make(name, lam_mode=lam_mode).sample(x.clone(), **ctx)
    assert len([r for r in warnings_logged if name in r.getMessage()]) == 2


@pytest.mark.parametrize('name', [n for n in REGISTERED if not BATCH_AUGMENTS.get(n).requires])
def test_batch_of_one_through_the_batch_augment_route(name):
    x = torch.rand(1, 3, 16, 16)
    onehot = F.one_hot(torch.tensor([2]), 4)
    mixed, scores = make(name)(x.clone(), onehot)
    assert torch.equal(mixed, x) and torch.equal(scores, onehot.float())


@pytest.mark.parametrize('name', REGISTERED)
def test_batch_of_two_is_still_mixed(name, warnings_logged):
    """The fallback is for a single sample only."""
    x = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    mixer = make(name, lam_mode='elem')
    lams = [mixer.sample(x.clone(), generator=torch.Generator().manual_seed(s),
                         **context(mixer, x)).lam for s in range(4)]
    assert not [r for r in warnings_logged if name in r.getMessage()]
    if name != 'CoMixup':  # Co-Mixup may keep each input whole (its optimum)
        assert any(bool((lam < 1).any()) for lam in lams)


# ------------------------------------------------------------ integer inputs
@pytest.mark.parametrize('dtype', [torch.uint8, torch.int64], ids=str)
@pytest.mark.parametrize('n', [4, 1])
@pytest.mark.parametrize('name', REGISTERED)
def test_integer_inputs_are_rejected(name, n, dtype):
    x = torch.randint(0, 256, (n, 3, 16, 16), dtype=dtype)
    mixer = make(name)
    with pytest.raises(TypeError) as err:
        mixer.sample(x.clone(), **context(mixer, x))
    msg = str(err.value)
    assert name in msg and str(dtype) in msg
    assert 'float' in msg and 'data preprocessor' in msg
    if not mixer.requires:  # the mmpretrain batch-augment route says the same
        with pytest.raises(TypeError, match=str(dtype).replace('.', r'\.')):
            mixer(x.clone(), F.one_hot(torch.arange(n) % 3, 3))


@pytest.mark.parametrize('dtype', [torch.float64, torch.float16], ids=str)
def test_floating_inputs_of_any_precision_are_accepted(dtype):
    x = torch.rand(4, 3, 16, 16).to(dtype)
    for name in REGISTERED:
        mixer = make(name)
        assert mixer.sample(x.clone(), **context(mixer, x)).inputs.dtype == dtype, name
