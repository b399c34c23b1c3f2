"""AutoMix tools: the evidence script's mask-coverage measurement (on a tiny
generated data set, with masks whose coverage is known), its checkpoint mode on
real CIFAR-10 images (a checkpoint trained here for a few iterations), and the
step-breakdown benchmark (a tiny run: its parts and totals are consistent)."""
import importlib.util
import json
import math
import os.path as osp
import types

import numpy as np

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401
from mmmix.datasets import ensure_classification
from mmmix.registry import MODELS
from conftest import tiny_cifar10_options

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


def test_coverage_without_foreground_masks_keeps_the_mask_numbers(tiny_data):
    """Without foreground masks the object shares are left out and the other
    numbers are those of the run with them (same pairs, lam and masks)."""
    ev = load('tools/analysis/automix_evidence.py', 'automix_evidence')
    model = synthetic_automix()
    inputs, fg, labels = ev.load_split(tiny_data, model.data_preprocessor)
    backbone = model.teacher.module['backbone']
    with_fg = ev.mask_coverage(backbone, model.mix_block, model.mix_stage, (inputs, fg, labels),
                               pairs=120, seed=2)
    without = ev.mask_coverage(backbone, model.mix_block, model.mix_stage,
                               (inputs, None, labels), pairs=120, seed=2)
    mask_keys = {'mask_mean', 'lam_corr', 'spatial_std', 'saturated'}
    assert set(with_fg['automix']) == mask_keys | {'own', 'partner', 'own_focus',
                                                   'partner_focus', 'both_visible'}
    for kind in ('automix', 'random_box'):
        assert set(without[kind]) == mask_keys
        assert without[kind] == {k: with_fg[kind][k] for k in mask_keys}
    assert without['pairs'] == with_fg['pairs'] and without['lam_mean'] == with_fg['lam_mean']


# ------------------------------------------------ checkpoint mode on real CIFAR-10 images
AUTOMIX_CIFAR = 'configs/cifar10_jpeg/resnet18-w16_automix_cifar10-jpeg-2k.py'
SUMIX_CIFAR = 'configs/cifar10_jpeg/resnet18-w16_cutmix-sumix_cifar10-jpeg-2k.py'


def train_tiny(config, data_root, work_dir):
    """Run a CIFAR-10 benchmark config for one epoch of batch 25 on the tiny
    training list (4 iterations, one thread) with mmengine's Runner; returns
    the checkpoint it saved."""
    from mmengine.runner import Runner
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.merge_from_dict(dict(
        tiny_cifar10_options(data_root), **{'env_cfg.dist_cfg': dict(backend='gloo'),
                                        'randomness': dict(seed=0, deterministic=False),
                                        'log_level': 'WARNING'}))
    cfg.work_dir = str(work_dir)
    try:
        Runner.from_cfg(cfg).train()
    finally:
        torch.set_num_threads(threads)
    ckpt = osp.join(str(work_dir), 'epoch_1.pth')
    assert osp.isfile(ckpt)
    return ckpt


@pytest.fixture(scope='module')
def cifar_automix(cifar10_jpeg_root, tmp_path_factory):
    ckpt = train_tiny(AUTOMIX_CIFAR, cifar10_jpeg_root, tmp_path_factory.mktemp('automix_cifar'))
    return cifar10_jpeg_root, osp.join(ROOT, AUTOMIX_CIFAR), ckpt


def _mask_stats_argv(cifar_automix, out, seed=1):
    root, config, ckpt = cifar_automix
    return ['--config', config, '--checkpoint', ckpt, '--data-root', root, '--ann-file',
            'meta/tiny_test.txt', '--pairs', '300', '--seed', str(seed), '--threads', '1',
            '--out', str(out)]


def test_mask_stats_of_a_checkpoint_on_cifar10(cifar_automix, tmp_path):
    """The checkpoint mode end to end: files, keys, ranges, determinism."""
    ev = load('tools/analysis/automix_evidence.py', 'automix_evidence')
    res = ev.main(_mask_stats_argv(cifar_automix, tmp_path / 'a'))
    with open(tmp_path / 'a' / 'mask_stats.json') as f:
        saved = json.load(f)
    assert saved == json.loads(json.dumps(res))
    md = (tmp_path / 'a' / 'mask_stats.md').read_text()
    for label in ('| AutoMix (learned) |', '| random box (CutMix) |', '| flat (Mixup) |'):
        assert label in md
    assert res['num_images'] == 200 and res['pairs_drawn'] == 300
    assert 200 < res['pairs'] < 300  # different-class pairs only (about 90 % of 300)
    assert res['alpha'] == 2. and res['mix_stage'] == 2  # the config's
    assert 0 <= res['clean_top1'] <= 100 and 0.3 < res['lam_mean'] < 0.7
    keys = {'mask_mean', 'lam_gap', 'lam_corr', 'spatial_std', 'saturated', 'mixed_ce'}
    for kind in ('automix', 'random_box', 'flat'):
        s = res[kind]
        assert set(s) == keys, kind  # no object shares without foreground masks
        assert 0 <= s['mask_mean'] <= 1 and 0 <= s['saturated'] <= 1 and s['lam_gap'] >= 0
        assert 0 <= s['spatial_std'] <= 0.5 and math.isfinite(s['mixed_ce'])
        assert s['mixed_ce'] > 0
    # the flat Mixup mask is lam everywhere; the hard boxes sit in the tails only
    assert res['flat']['spatial_std'] < 1e-6 and res['flat']['lam_gap'] < 1e-6
    assert res['flat']['lam_corr'] > 0.999999
    assert res['random_box']['saturated'] == 1 and res['random_box']['spatial_std'] > 0.3
    # the config's lam-anchored mask follows lam
    assert res['automix']['lam_corr'] > 0.9 and res['automix']['lam_gap'] < 0.1

    # the same seed gives the same numbers, another seed other pairs
    again = ev.main(_mask_stats_argv(cifar_automix, tmp_path / 'b'))
    other = ev.main(_mask_stats_argv(cifar_automix, tmp_path / 'c', seed=2))
    strip = lambda r: {k: v for k, v in r.items() if k != 'command'}  # noqa: E731
    assert strip(again) == strip(res)
    assert other['lam_mean'] != res['lam_mean']


def test_mask_stats_against_an_independent_computation(cifar_automix):
    """The reported numbers recomputed in the test from the per-pair lam and
    masks: the boxes' spatial std from their areas alone, the correlation, and
    the mixed CE of each mask kind under the student (its own forward)."""
    import torch.nn.functional as F
    ev = load('tools/analysis/automix_evidence.py', 'automix_evidence')
    root, config, ckpt = cifar_automix
    args = ev.parse_args(['--config', config, '--checkpoint', ckpt, '--data-root', root,
                          '--ann-file', 'meta/tiny_test.txt', '--pairs', '300', '--seed', '1'])
    cfg, model = ev.load_automix(config, ckpt)
    res, per = ev.mask_stats(model, cfg, args)
    lam, a, b = per['lam'].double(), per['a'], per['b']
    assert res['pairs'] == lam.numel() == a.numel()

    # a box of side round(sqrt(1 - lam) * 32) inside a 32x32 image: share p of x kept,
    # per-image (unbiased) std sqrt(p (1 - p) n / (n - 1)) with n = 1024 pixels
    n = 32 * 32
    side = torch.round(torch.sqrt(1 - lam) * 32)
    p = 1 - side * side / n
    boxes = per['random_box'].double()
    assert torch.equal((boxes == 0).flatten(1).sum(1).double(), side * side)
    std = torch.sqrt(p * (1 - p) * n / (n - 1))
    assert res['random_box']['spatial_std'] == pytest.approx(float(std.mean()), abs=1e-6)
    assert res['random_box']['mask_mean'] == pytest.approx(float(p.mean()), abs=1e-6)
    assert res['random_box']['lam_gap'] == pytest.approx(float((p - lam).abs().mean()),
                                                         abs=1e-6)
    share = per['automix'].double().flatten(1).mean(1)
    assert res['automix']['lam_corr'] == pytest.approx(
        float(np.corrcoef(share.numpy(), lam.numpy())[0, 1]), abs=1e-6)

    # mixed CE: lam * CE(y_a) + (1 - lam) * CE(y_b) of the student's logits
    inputs, labels = ev.load_list(model, cfg, root, 'meta/tiny_test.txt')
    with torch.no_grad():
        for kind in ('automix', 'random_box', 'flat'):
            w = per[kind][:, None].float()
            mixed = w * inputs[a] + (1 - w) * inputs[b]
            feats = model.neck(model.backbone(mixed))
            logits = model.head.fc(feats[-1] if isinstance(feats, tuple) else feats)
            ce_a = F.cross_entropy(logits, labels[a], reduction='none').double()
            ce_b = F.cross_entropy(logits, labels[b], reduction='none').double()
            expected = float((lam * ce_a + (1 - lam) * ce_b).mean())
            assert res[kind]['mixed_ce'] == pytest.approx(expected, rel=1e-5), kind
        top1 = 100. * float((model.head.fc(model.neck(model.backbone(inputs))[-1]).argmax(1)
                             == labels).double().mean())
    assert res['clean_top1'] == pytest.approx(top1)


def test_mask_stats_rejects_what_is_not_an_automix_model(cifar_automix, tmp_path):
    ev = load('tools/analysis/automix_evidence.py', 'automix_evidence')
    root, config, ckpt = cifar_automix
    sumix_config = osp.join(ROOT, SUMIX_CIFAR)
    base = ['--data-root', root, '--ann-file', 'meta/tiny_test.txt', '--pairs', '20',
            '--out', str(tmp_path)]
    with pytest.raises(ValueError, match='--config .*not AutoMix'):
        ev.main(['--config', sumix_config, '--checkpoint', ckpt] + base)
    # a plain classifier's weights given with the AutoMix config
    init_default_scope('mmmix')
    cfg = Config.fromfile(sumix_config)
    cfg.model.data_preprocessor = cfg.data_preprocessor
    plain = str(tmp_path / 'plain.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), plain)
    with pytest.raises(ValueError, match='--checkpoint .*not an AutoMix model'):
        ev.main(['--config', config, '--checkpoint', plain] + base)
    with pytest.raises(SystemExit):  # the two go together
        ev.parse_args(['--checkpoint', ckpt])


def _mask_record(n=2, size=16):
    g = torch.Generator().manual_seed(0)
    rec = {'x': torch.rand(n, 3, size, size, generator=g)}
    for tag in ('mb', 'bb'):
        rec[f'partner_{tag}'] = torch.rand(n, 3, size, size, generator=g)
        rec[f'mask_{tag}'] = torch.rand(n, 1, size, size, generator=g)
        rec[f'mixed_{tag}'] = torch.rand(n, 3, size, size, generator=g)
        rec[f'lam_{tag}'] = torch.rand(n, generator=g)
    return rec


def test_mask_grid_spells_out_the_pairs_and_sizes_its_fonts(tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from mmmix.engine.hooks import save_mask_grid
    figures = []
    monkeypatch.setattr(plt, 'close', figures.append)
    rec = _mask_record()
    path = save_mask_grid(rec, str(tmp_path / 'grid.png'), title='AutoMix, iteration 5')
    assert osp.getsize(path) > 10_000
    fig, = figures
    axes = fig.axes
    assert len(axes) == 2 * 7
    titles = [ax.get_title() for ax in axes[:7]]
    assert titles[0] == 'x'
    assert sum('(Mix Block pair)' in t for t in titles) == 3
    assert sum('(backbone pair)' in t for t in titles) == 3
    texts = [t for ax in axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)
             if t.get_text()] + [fig._suptitle]
    assert not any('(mb)' in t.get_text() or '(bb)' in t.get_text() for t in texts)
    assert min(t.get_fontsize() for t in texts) >= 10
    assert 'Mix Block pair:' in fig._suptitle.get_text()
    # each mask panel states its mean and the lam it was drawn for
    mask_col = titles.index('mask of x\n(Mix Block pair)')
    for i in range(2):
        label = axes[7 * i + mask_col].get_xlabel()
        assert label == (f'mean {float(rec["mask_mb"][i].mean()):.2f}, '
                         f'lam {float(rec["lam_mb"][i]):.2f}')
    monkeypatch.undo()
    plt.close(fig)
