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
