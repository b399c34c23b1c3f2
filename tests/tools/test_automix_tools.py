"""AutoMix tools: the evidence script's mask-coverage measurement (on a tiny
generated data set, with masks whose coverage is known) and the step-breakdown
benchmark (a tiny run: its parts and totals are consistent)."""
import importlib.util
import json
import os.path as osp
import types

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401
from mmmix.datasets import ensure_classification
from mmmix.registry import MODELS

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load(rel, name):
    spec = importlib.util.spec_from_file_location(name, osp.join(ROOT, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def tiny_data(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('cls'))
    ensure_classification(root, num_classes=4, img_size=32, num_train=1, num_val=1, num_test=6,
                          object_scale=(0.15, 0.25))
    return root


def synthetic_automix():
    init_default_scope('mmmix')
    cfg = Config.fromfile(osp.join(ROOT, 'configs/automix/resnet18-w16_automix_synthetic.py'))
    cfg.model.data_preprocessor = cfg.data_preprocessor
    cfg.model.head.num_classes = 4
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def test_overlap_of_a_flat_lam_mask_is_lam_with_no_focus(tiny_data):
    ev = load('tools/analysis/automix_evidence.py', 'automix_evidence')
    model = synthetic_automix()
    assert model.mix_block.lam_anchor  # the synthetic config's setting
    with torch.no_grad():  # a spatially flat block: with lam_anchor the mask is exactly lam
        model.mix_block.value.weight.zero_()
    args = types.SimpleNamespace(data_root=tiny_data, seed=0, pairs=200)
    out = ev.overlap(model, args)
    auto, box = out['automix'], out['random_box']
    assert out['pairs'] > 50  # different-class pairs only
    assert auto['spatial_std'] < 1e-6
    assert abs(auto['mask_mean'] - out['lam_mean']) < 1e-5 and auto['lam_corr'] > 0.999
    # a flat mask keeps lam of every pixel: of x's object and of everything else alike
    assert abs(auto['own'] - out['lam_mean']) < 1e-5
    assert abs(auto['partner'] - (1 - out['lam_mean'])) < 1e-5
    assert abs(auto['own_focus']) < 1e-5 and abs(auto['partner_focus']) < 1e-5
    # the random boxes have the requested area and are spatially hard
    assert abs(box['mask_mean'] - out['lam_mean']) < 0.05 and box['spatial_std'] > 0.3
    # hard boxes sit entirely in the tails, the flat lam mask never does (lam in (0, 1))
    assert box['saturated'] == 1 and auto['saturated'] < 0.05
    assert json.dumps(out)  # what the script writes


def test_breakdown_benchmark_parts_add_up(tmp_path):
    bench = load('tools/benchmarks/bench_automix_breakdown.py', 'bench_automix_breakdown')
    out = str(tmp_path / 'bd')
    res = bench.main(['--batch', '4', '--size', '16', '--repeats', '1', '--warmup', '0',
                      '--threads', '1', '--num-classes', '4', '--out', out])
    parts = res['parts_ms']
    assert set(parts) == {
        'teacher EMA update', 'teacher to mix stage', 'Mix Block + teacher forward (x_mb)',
        'teacher backward (to the pixels)', 'Mix Block no_grad + mix (x_bb)',
        'student forward (x_bb)', 'student backward (x_bb)', 'student forward (clean)',
        'student backward (clean)'}
    assert all(v > 0 for v in parts.values())
    assert abs(res['parts_total_ms'] - sum(parts.values())) < 1e-6
    assert abs(res['parts_total_in_mixup_steps'] - res['parts_total_ms']
               / res['mixup_step_ms']) < 1e-9
    assert osp.isfile(out + '.md') and osp.isfile(out + '.json')


def test_mix_block_probe_runs_and_the_anchored_mask_follows_lam(tiny_data, tmp_path):
    probe = load('tools/analysis/mix_block_probe.py', 'mix_block_probe')
    init_default_scope('mmmix')
    config = osp.join(ROOT, 'configs/mixups/vanilla/resnet18_vanilla_synthetic.py')
    cfg = Config.fromfile(config)
    cfg.model.data_preprocessor = cfg.data_preprocessor
    torch.manual_seed(0)
    ckpt = str(tmp_path / 'cls.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), ckpt)
    out = str(tmp_path / 'probe.json')
    res = probe.main([config, ckpt, '--data-root', tiny_data, '--iters', '4', '--eval-every',
                      '2', '--pairs', '60', '--batch', '8', '--lam-anchor', '--init-std', '0.1',
                      '--threads', '1', '--out', out])
    assert [row['iter'] for row in res['trace']] == [0, 2, 4]
    for row in res['trace']:
        auto = row['automix']
        assert abs(auto['mask_mean'] - row['lam_mean']) < 0.05 and auto['lam_corr'] > 0.9
        assert 0 <= auto['saturated'] <= 1 and row['flat']['saturated'] == 0
        # the flat Mixup mask is exactly lam everywhere
        assert row['flat']['spatial_std'] < 1e-6
        for key in ('automix', 'flat', 'random_box'):
            assert row[key]['mixed_ce'] > 0
    with open(out) as f:
        assert json.load(f)['trace'][-1]['iter'] == 4
