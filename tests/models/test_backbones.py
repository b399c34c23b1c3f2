"""CIFAR backbones mmpretrain 1.2.0 lacks: ResNeXt_CIFAR and WideResNet_CIFAR."""
import pytest
import torch

import mmmix  # noqa: F401
from mmmix.registry import MODELS
from mmmix.utils import ConfigError


def _params(m):
    return sum(p.numel() for p in m.parameters())


def test_wrn28_8_matches_the_paper_network():
    m = MODELS.build(dict(type='WideResNet_CIFAR', depth=28, widen_factor=8, out_indices=(0, 1, 2)))
    # WRN-28-10 has 36.5M parameters and WRN-28-8 23.4M (Zagoruyko & Komodakis)
    assert abs(_params(m) / 1e6 - 23.35) < 0.05
    outs = m(torch.randn(2, 3, 32, 32))
    assert [tuple(o.shape) for o in outs] == [(2, 128, 32, 32), (2, 256, 16, 16), (2, 512, 8, 8)]
    assert (outs[-1] >= 0).all(), 'the last stage ends with BN-ReLU'


def test_wrn_small_trains_and_freezes():
    m = MODELS.build(dict(type='WideResNet_CIFAR', depth=10, widen_factor=1, frozen_stages=1))
    m.train()
    assert not m.layer1.training and all(not p.requires_grad for p in m.layer1.parameters())
    out = m(torch.randn(2, 3, 16, 16))[-1]
    out.mean().backward()
    assert m.layer3[0].conv1.weight.grad is not None and m.conv1.weight.grad is None


@pytest.mark.parametrize('cfg,needle', [
    (dict(depth=27), 'depth=27'), (dict(widen_factor=0), 'widen_factor=0'),
    (dict(out_indices=(3, )), 'out_indices'), (dict(drop_rate=1.5), 'drop_rate'),
    (dict(widen=8), 'widen'),
])
def test_wrn_config_errors(cfg, needle):
    with pytest.raises(ConfigError, match=needle):
        MODELS.build(dict(type='WideResNet_CIFAR', **cfg))


def test_resnext50_cifar_keeps_cifar_resolution():
    m = MODELS.build(dict(type='ResNeXt_CIFAR', depth=50, groups=32, width_per_group=4,
                          out_indices=(0, 1, 2, 3)))
    assert m.conv1.kernel_size == (3, 3) and m.conv1.stride == (1, 1)
    outs = m(torch.randn(1, 3, 32, 32))
    assert [o.shape[-1] for o in outs] == [32, 16, 8, 4]
    assert outs[-1].shape[1] == 2048
    assert m.layer1[0].conv2.groups == 32
