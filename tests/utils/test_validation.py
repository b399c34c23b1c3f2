"""Bad config input fails at build time with a message naming the key/value."""
import pytest
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401
from mmmix.registry import BATCH_AUGMENTS, MODELS
from mmmix.utils import ConfigError, check_choice, check_range


def test_check_helpers_name_key_and_choices():
    with pytest.raises(ConfigError, match=r"mode='sideways'.*\['both', 'less', 'more'\]"):
        check_choice('mode', 'sideways', ['both', 'less', 'more'])
    with pytest.raises(ConfigError, match=r'eta=-1'):
        check_range('eta', -1, low=0)
    assert check_range('eta', 0, low=0) == 0
    with pytest.raises(ConfigError, match='alpha=0'):
        check_range('alpha', 0, low=0, low_inclusive=False)


def test_misspelled_mixer_key_lists_valid_keys():
    with pytest.raises(ConfigError) as e:
        BATCH_AUGMENTS.build(dict(type='CutMix', alpah=0.2))
    msg = str(e.value)
    assert 'alpah' in msg and 'alpha' in msg and 'lam_mode' in msg


def test_misspelled_head_and_classifier_keys():
    init_default_scope('mmmix')
    with pytest.raises(ConfigError, match='num_clases'):
        MODELS.build(dict(type='MixupClsHead', num_clases=3, in_channels=8))
    with pytest.raises(ConfigError, match='mixer_prob'):
        MODELS.build(dict(type='MixupClassifier', backbone=dict(type='ResNet_CIFAR', depth=18),
                          mixers=['vanilla'], mixer_prob=[1.0]))


@pytest.mark.parametrize('cfg,needle', [
    (dict(type='CutMix', alpha=0), 'alpha=0'),
    (dict(type='CutMix', alpha=-1.0), 'alpha=-1.0'),
    (dict(type='Mixup', lam_mode='pixel'), "lam_mode='pixel'"),
    (dict(type='Mixup', dist_mode='cluster'), "dist_mode='cluster'"),
])
def test_bad_mixer_values(cfg, needle):
    with pytest.raises(ConfigError) as e:
        BATCH_AUGMENTS.build(cfg)
    assert needle in str(e.value)


def test_unknown_model_type_names_it():
    init_default_scope('mmmix')
    with pytest.raises(KeyError, match='NotAClassifier'):
        MODELS.build(dict(type='NotAClassifier'))


def test_compare_state_names_what_does_not_fit():
    import torch

    from mmmix.utils.state_dicts import compare_state, key_listing
    own = {'a': torch.zeros(2), 'b': torch.zeros(3), 'n': torch.zeros(())}
    given = {'a': torch.ones(2), 'b': torch.zeros(4), 'c': torch.zeros(1)}
    assert compare_state(own, given, skip_missing=lambda k: k == 'n') == \
        ([], ['c'], ['b: (4,) vs (3,)'])
    assert compare_state(own, given)[0] == ['n']
    assert key_listing(['z', 'y', 'x'], limit=2) == "['x', 'y'] (+1 more)"


# ------------------------------------------------------- non-finite values
NON_FINITE = [float('nan'), float('inf'), float('-inf')]


def test_check_helpers_reject_non_finite():
    import numpy as np
    import torch

    from mmmix.mixers.base import check_pair
    for bad in NON_FINITE + [np.float32('nan'), torch.tensor(float('inf'))]:
        for bounds in (dict(), dict(low=0), dict(high=1), dict(low=-1, high=1)):
            with pytest.raises(ConfigError, match=r'eta=.*(nan|inf).*finite'):
                check_range('eta', bad, **bounds)
        with pytest.raises(ConfigError, match=r'scope=.*(nan|inf)'):
            check_pair('scope', (0.1, bad), 0, None)
    assert check_range('eta', 1e300) == 1e300


def _numeric_keys(cls, extra=()):
    """``(key, default)`` of the options of ``cls`` whose defaults are numbers or
    tuples of numbers, plus ``extra`` keys (optional numbers defaulting to None)."""
    import inspect
    import numbers

    from mmmix.utils.validation import init_arg_names

    def numeric(v):
        return isinstance(v, numbers.Real) and not isinstance(v, bool)

    keys = []
    for klass in cls.__mro__:
        if '__init__' not in klass.__dict__:
            continue
        for p in inspect.signature(klass.__init__).parameters.values():
            d = p.default
            if p.name in init_arg_names(cls) and p.name not in dict(keys) and (
                    numeric(d) or (isinstance(d, tuple) and d and all(map(numeric, d)))):
                keys.append((p.name, d))
    return keys + [(k, None) for k in extra]


def _bad_values(default, bad):
    """``bad`` alone, and in the first / last entry of a tuple default."""
    if isinstance(default, tuple):
        return [bad, (bad, ) + default[1:], default[:-1] + (bad, )]
    return [bad]


def _cases(registry_names, extra):
    from mmmix.registry import MODELS
    cases = []
    for name in registry_names:
        cls = BATCH_AUGMENTS.get(name) or MODELS.get(name)
        for key, default in _numeric_keys(cls, extra.get(name, ())):
            for i, value in enumerate(_bad_values(default, 'BAD')):
                cases.append((name, key, default, i))
    return cases


def _mixer_names():
    from mmmix.mixers.base import BaseMixer
    return sorted(n for n, c in BATCH_AUGMENTS.module_dict.items()
                  if isinstance(c, type) and issubclass(c, BaseMixer))


#: numeric options that default to None
MIXER_EXTRA = {'CoMixup': ('thres', ), 'PuzzleMix': ('t_iters', ), 'AttentiveMix': ('grid', )}
MIXER_CASES = _cases(_mixer_names(), MIXER_EXTRA)
#: losses: extra keys with the options they need
LOSS_NAMES = ['MixedCrossEntropyLoss', 'DecoupledMixupLoss', 'SUMixLoss']
LOSS_EXTRA = {'DecoupledMixupLoss': ('eta', 'thr')}
LOSS_CONTEXT = {('DecoupledMixupLoss', 'thr'): dict(variant='bce')}
LOSS_CASES = _cases(LOSS_NAMES, LOSS_EXTRA)


def _assert_names(err, key, bad):
    msg = str(err.value)
    assert key in msg and repr(bad) in msg, msg


def test_numeric_cases_cover_the_documented_keys():
    mixer_keys = {(n, k) for n, k, _, _ in MIXER_CASES}
    for name in _mixer_names():
        assert (name, 'alpha') in mixer_keys
    for key in ('margin', 'scope', 'decay_power', 'n_holes', 'cut_area_ratio', 'sigma',
                'saliency_size', 'layers', 'block_num', 'beta', 'gamma', 'eta', 'omega',
                'thres', 't_eps', 'part_size'):
        assert any(k == key for _, k in mixer_keys), key
    loss_keys = {(n, k) for n, k, _, _ in LOSS_CASES}
    assert {('MixedCrossEntropyLoss', 'loss_weight'), ('DecoupledMixupLoss', 'idx'),
            ('DecoupledMixupLoss', 'eta'), ('DecoupledMixupLoss', 'thr'),
            ('SUMixLoss', 'gamma'), ('SUMixLoss', 'scale')} <= loss_keys


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
@pytest.mark.parametrize('name,key,default,i', MIXER_CASES,
                         ids=lambda v: v if isinstance(v, str) else '')
def test_non_finite_mixer_options(name, key, default, i, bad):
    value = _bad_values(default, bad)[i]
    with pytest.raises(ConfigError) as err:
        BATCH_AUGMENTS.build(dict(type=name, **{key: value}))
    _assert_names(err, key, bad)


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
@pytest.mark.parametrize('name,key,default,i', LOSS_CASES,
                         ids=lambda v: v if isinstance(v, str) else '')
def test_non_finite_loss_and_head_options(name, key, default, i, bad):
    init_default_scope('mmmix')
    loss = dict(type=name, **LOSS_CONTEXT.get((name, key), {}))
    loss[key] = _bad_values(default, bad)[i]
    with pytest.raises(ConfigError) as err:
        MODELS.build(loss)
    _assert_names(err, key, bad)
    # and the same loss given to the head
    with pytest.raises(ConfigError) as err:
        MODELS.build(dict(type='MixupClsHead', num_classes=3, in_channels=8, mix_loss=loss))
    _assert_names(err, key, bad)


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
@pytest.mark.parametrize('key', ['num_classes', 'in_channels', 'loss.loss_weight'])
def test_non_finite_head_options(key, bad):
    init_default_scope('mmmix')
    cfg = dict(type='MixupClsHead', num_classes=3, in_channels=8)
    if key == 'loss.loss_weight':
        cfg['loss'] = dict(type='CrossEntropyLoss', loss_weight=bad)
    else:
        cfg[key] = bad
    with pytest.raises(ConfigError) as err:
        MODELS.build(cfg)
    _assert_names(err, key, bad)


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
@pytest.mark.parametrize('probs', [('BAD', 1.0), (1.0, 'BAD'), ('BAD', 'BAD')])
def test_non_finite_mix_prob(probs, bad):
    init_default_scope('mmmix')
    mix_prob = [bad if p == 'BAD' else p for p in probs]
    with pytest.raises(ConfigError) as err:
        MODELS.build(dict(type='MixupClassifier', backbone=dict(type='ResNet_CIFAR', depth=18),
                          mixers=[dict(type='CutMix'), 'vanilla'], mix_prob=mix_prob))
    _assert_names(err, 'mix_prob', bad)


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
@pytest.mark.parametrize('key', ['alpha', 'lam_margin', 'mask_gamma', 'mask_eps',
                                 'clean_loss_weight'])
def test_non_finite_automix_options(key, bad):
    init_default_scope('mmmix')
    with pytest.raises(ConfigError) as err:
        MODELS.build(dict(type='AutoMix', backbone=dict(type='ResNet_CIFAR', depth=18),
                          head=dict(type='MixupClsHead', num_classes=3, in_channels=512),
                          mix_block=dict(type='PixelMixBlock', in_channels=256), **{key: bad}))
    _assert_names(err, key, bad)


@pytest.mark.parametrize('bad', NON_FINITE, ids=str)
def test_non_finite_backbone_and_split_options(bad):
    from mmmix.datasets.splits import split_indices
    init_default_scope('mmmix')
    for key in ('depth', 'widen_factor', 'drop_rate'):
        with pytest.raises(ConfigError) as err:
            MODELS.build(dict(dict(type='WideResNet_CIFAR', depth=10), **{key: bad}))
        _assert_names(err, key, bad)
    for key in ('num_per_class', 'percent'):
        with pytest.raises(ConfigError) as err:
            split_indices([0, 0, 1, 1], **{key: bad})
        _assert_names(err, key, bad)
