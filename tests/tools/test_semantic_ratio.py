"""tools/analysis/semantic_ratio.py: the semantic share on hand-built masks with
known answers, the exclusion rules, the statistics, where the partner lands
(ResizeMix), an end-to-end run of the tool on a tiny generated data set with a
freshly initialised model (no training), and the mode for data without
foreground masks on real CIFAR-10 images (a checkpoint trained here for a few
iterations)."""
import importlib.util
import json
import math
import os
import os.path as osp

import pytest
import torch

from conftest import tiny_cifar10_options

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
H = W = 8


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one intra-op thread avoids thread-pool stalls on a busy CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def sr():
    path = osp.join(ROOT, 'tools', 'analysis', 'semantic_ratio.py')
    spec = importlib.util.spec_from_file_location('semantic_ratio', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rect(y1, y2, x1, x2):
    """``[H,W]`` 0/1 float with ones in rows ``y1:y2``, columns ``x1:x2``."""
    t = torch.zeros(H, W)
    t[y1:y2, x1:x2] = 1
    return t


def keep_outside(y1, y2, x1, x2):
    """Pixel weight of x for a pasted box: 0 inside the box, 1 outside."""
    return 1 - rect(y1, y2, x1, x2)


def close(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-12


# ------------------------------------------------------------- semantic share
CASES = {
    # x's object (4 px) fully outside the box, the partner's (4 px) fully inside it
    'both_fully_visible': (rect(0, 2, 0, 2), rect(4, 6, 4, 6), keep_outside(4, 8, 4, 8),
                           dict(s_a=1., s_b=1., lam_sem=.5, lam_px=.5)),
    # the box covers x's object and misses the partner's: nothing visible, undefined
    'both_hidden': (rect(0, 2, 0, 2), rect(4, 6, 4, 6), keep_outside(0, 4, 0, 4),
                    dict(s_a=0., s_b=0., lam_sem=float('nan'), lam_px=float('nan'))),
    # half of x's object (4 of 8 px) and 24 of the partner's 32 px are visible
    'halves': (rect(0, 2, 0, 4), rect(4, 8, 0, 8), keep_outside(0, 8, 2, 8),
               dict(s_a=.5, s_b=.75, lam_sem=.5 / 1.25, lam_px=4 / 28)),
    # the box misses the partner's object: only x's class is visible
    'partner_missed': (rect(0, 2, 0, 2), rect(0, 2, 0, 2), keep_outside(4, 8, 4, 8),
                       dict(s_a=1., s_b=0., lam_sem=1., lam_px=1.)),
    # the box covers x's object and holds the whole partner object
    'own_covered': (rect(2, 4, 2, 4), rect(3, 5, 3, 5), keep_outside(1, 7, 1, 7),
                    dict(s_a=0., s_b=1., lam_sem=0., lam_px=0.)),
    # the partner has no foreground: its share is undefined
    'no_partner_object': (rect(0, 2, 0, 2), torch.zeros(H, W), keep_outside(4, 8, 4, 8),
                          dict(s_a=1., s_b=float('nan'), lam_sem=float('nan'), lam_px=1.)),
}


@pytest.mark.parametrize('case', list(CASES))
def test_semantic_share_known_answers(sr, case):
    fg_a, fg_b, mask, expected = CASES[case]
    out = sr.semantic_shares(fg_a[None], fg_b[None], mask[None, None])
    for key, value in expected.items():
        assert close(float(out[key][0]), value), f'{case}: {key}={float(out[key][0])}, ' \
                                                 f'expected {value}'


def test_semantic_share_batched_and_soft(sr):
    fg_a, fg_b, mask, _ = zip(*CASES.values())
    batch = sr.semantic_shares(torch.stack(fg_a), torch.stack(fg_b), torch.stack(mask))
    for i, (a, b, m, expected) in enumerate(CASES.values()):
        assert close(float(batch['lam_sem'][i]), expected['lam_sem'])
    # a uniform soft mask (Mixup-like) shows every object at the mask weight:
    # the semantic share is then exactly the area share
    m = torch.full((1, H, W), 0.3, dtype=torch.float64)
    out = sr.semantic_shares(rect(0, 3, 0, 3)[None], rect(2, 8, 1, 7)[None], m)
    assert close(float(out['s_a'][0]), .3) and close(float(out['s_b'][0]), .7)
    assert abs(float(out['lam_sem'][0]) - .3) < 1e-12
    with pytest.raises(ValueError, match=r'\[N,H,W\]'):
        sr.semantic_shares(torch.ones(2, H, W), torch.ones(2, H, W), torch.ones(2, H, W - 1))


# ------------------------------------------------------------ exclusion rules
def test_exclusion_rules(sr):
    nan = float('nan')
    y_a = torch.tensor([0, 1, 2, 3, 4, 5])
    y_b = torch.tensor([0, 2, 3, 4, 5, 6])
    s_a = torch.tensor([1., 0., nan, .5, 0., .4], dtype=torch.float64)
    s_b = torch.tensor([0., 0., 1., 0., 1., .6], dtype=torch.float64)
    ex = sr.exclusions(y_a, y_b, s_a, s_b)
    as_list = {k: v.tolist() for k, v in ex.items()}
    assert as_list['same_class'] == [True, False, False, False, False, False]
    assert as_list['no_foreground'] == [False, False, True, False, False, False]
    assert as_list['both_hidden'] == [False, True, False, False, False, False]
    assert as_list['evaluated'] == [False, False, False, True, True, True]
    assert as_list['pairs'] == [False, True, False, True, True, True]
    # the same-class sample 0 has s_b = 0 but is not a pair: not counted
    assert as_list['b_missed'] == [False, True, False, True, False, False]
    assert as_list['a_covered'] == [False, True, False, False, True, False]
    # the rules are disjoint and cover every sample
    parts = ex['same_class'].int() + ex['no_foreground'].int() + ex['both_hidden'].int() \
        + ex['evaluated'].int()
    assert parts.tolist() == [1] * 6


def test_analyse_counts_and_excludes(sr):
    nan = float('nan')
    y_a = torch.tensor([0, 1, 2, 3, 4, 5])
    y_b = torch.tensor([0, 2, 3, 4, 5, 6])
    s_a = torch.tensor([1., 0., nan, .5, 0., .4], dtype=torch.float64)
    s_b = torch.tensor([0., 0., 1., 0., 1., .6], dtype=torch.float64)
    lam_sem = s_a / (s_a + s_b)
    # the excluded samples carry estimates far off: they must not reach the MAE
    records = dict(y_a=y_a, y_b=y_b, s_a=s_a, s_b=s_b, lam_sem=lam_sem, lam_px=lam_sem,
                   area_lam=torch.tensor([9., 9., 9., 1., 0., .4], dtype=torch.float64),
                   sumix_lam=torch.tensor([9., 9., 9., .9, .2, .4], dtype=torch.float64),
                   pred_ratio=torch.tensor([9., 9., 9., .5, .5, .5], dtype=torch.float64),
                   pred_a=torch.tensor([True] * 6))
    res = sr.analyse(records)
    assert res['counts'] == dict(mixed=6, same_class=1, no_foreground=1, both_hidden=1,
                                 different_class_pairs=4, evaluated=3)
    assert res['partner_object_missed'] == dict(count=2, fraction=.5)
    assert res['own_object_covered'] == dict(count=2, fraction=.5)
    stats = res['vs_semantic_share']
    assert stats['area_lam']['mae'] == pytest.approx(0.)
    assert stats['area_lam']['pearson'] == pytest.approx(1.)
    assert stats['sumix_lam']['mae'] == pytest.approx((.1 + .2 + 0.) / 3)
    assert stats['pred_ratio']['mae'] == pytest.approx((.5 + .5 + .1) / 3)
    assert stats['pred_ratio']['pearson'] is None  # a constant estimate
    assert stats['constant_half']['mae'] == pytest.approx((.5 + .5 + .1) / 3)
    assert all(st['n'] == 3 for st in stats.values())


def test_summarize_statistics(sr):
    target = torch.tensor([.1, .2, .2, .9], dtype=torch.float64)
    st = sr.summarize(target, dict(good=target * .5, rev=1 - target))
    assert st['good']['mae'] == pytest.approx(float((target * .5).sub(target).abs().mean()))
    assert st['good']['bias'] == pytest.approx(-float(target.mean()) * .5)
    assert st['good']['pearson'] == pytest.approx(1.) and st['good']['spearman'] == \
        pytest.approx(1.)
    assert st['rev']['pearson'] == pytest.approx(-1.) and st['rev']['spearman'] == \
        pytest.approx(-1.)
    # ties share their mean rank
    assert sr._ranks(torch.tensor([3., 1., 2., 2.])).tolist() == [3., 0., 1.5, 1.5]


# ---------------------------------------------------- where the partner lands
@pytest.mark.parametrize('lam_mode', ['batch', 'elem'])
def test_resizemix_partner_frame(sr, lam_mode):
    from mmmix.mixers import ResizeMix
    g = torch.Generator().manual_seed(0)
    x = torch.rand(6, 3, 16, 16, generator=g)
    mixer = ResizeMix(alpha=1.0, lam_mode=lam_mode)
    result = mixer.sample(x.clone(), generator=g, with_mask=True)
    assert sr.check_composition(mixer, x, result) <= sr.RECON_TOL
    # the whole (resized) partner is pasted: its object is fully visible
    fg = torch.zeros(6, 1, 16, 16)
    fg[:, :, 4:12, 4:12] = 1
    fg_b = sr.partner_in_frame(mixer, fg, result.index, result.mask)[:, 0]
    out = sr.semantic_shares(fg[:, 0], fg_b, result.mask)
    assert torch.allclose(out['s_b'], torch.ones(6, dtype=torch.float64))


def test_identity_partner_frame_and_composition_check(sr):
    from mmmix.mixers import CutMix
    g = torch.Generator().manual_seed(1)
    x = torch.rand(4, 3, 8, 8, generator=g)
    mixer = CutMix(alpha=1.0, lam_mode='elem')
    result = mixer.sample(x.clone(), generator=g, with_mask=True)
    assert torch.equal(sr.partner_in_frame(mixer, x, result.index, result.mask),
                       x[result.index])
    assert sr.check_composition(mixer, x, result) == 0.
    result.inputs = result.inputs.flip(-1)  # pixels moved: the model no longer holds
    with pytest.raises(RuntimeError, match='partner'):
        sr.check_composition(mixer, x, result)


def test_estimates(sr):
    g = torch.Generator().manual_seed(2)
    p_o = torch.softmax(torch.randn(5, 4, generator=g, dtype=torch.float64), 1)
    p_m = torch.softmax(torch.randn(5, 4, generator=g, dtype=torch.float64), 1)
    y_a = torch.tensor([0, 1, 2, 3, 0])
    index = torch.tensor([1, 2, 3, 4, 0])
    y_b = y_a[index]
    lam = torch.tensor([.1, .3, .5, .7, .9], dtype=torch.float64)
    # a vanishing scale leaves the mixer's lam unchanged
    assert torch.allclose(sr.sumix_estimate(lam, p_o, p_m, y_a, y_b, index, 1e-9), lam)
    lam_new = sr.sumix_estimate(lam, p_o, p_m, y_a, y_b, index, 100.)
    assert ((lam_new >= 0) & (lam_new <= 1)).all()
    ratio = sr.prediction_ratio(p_m, y_a, y_b)
    pa, pb = p_m[torch.arange(5), y_a], p_m[torch.arange(5), y_b]
    assert torch.allclose(ratio, pa / (pa + pb))


def test_mixer_choice_is_validated(sr):
    with pytest.raises(ValueError, match="'CutMix'"):
        sr.build_mixer('Mixup', 1.0, 'elem', None)  # no mask
    mixer = sr.build_mixer('FMix', 0.5, 'batch', dict(decay_power=2.))
    assert mixer.alpha == .5 and mixer.decay_power == 2.


# ------------------------------------------------------------------- end to end
def test_tool_end_to_end(sr, tmp_path):
    """The whole tool on 4 classes x 2 test images of 16x16 with a freshly
    initialised model saved as a checkpoint (no training): output files and
    keys, finite MAEs in [0, 1], idempotent data, determinism under --seed."""
    from mmengine.config import Config
    data_root, work = str(tmp_path / 'data'), str(tmp_path / 'work')
    cfg = Config.fromfile(sr.DEFAULT_CONFIG)
    torch.manual_seed(0)
    model = sr.build_model(cfg, None)
    ckpt = str(tmp_path / 'init.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    argv = ['--data-root', data_root, '--work-dir', work, '--checkpoint', ckpt,
            '--num-classes', '4', '--img-size', '16', '--num-train', '1', '--num-val', '1',
            '--num-test', '2', '--rounds', '3', '--batch-size', '4', '--seed', '3',
            '--extra-scales', '10']
    summary = sr.main(argv)

    for name in ('semantic_ratio.json', 'semantic_ratio.md', 'semantic_ratio.png'):
        assert osp.isfile(osp.join(work, name)), name
    with open(osp.join(work, 'semantic_ratio.json')) as f:
        saved = json.load(f)
    assert saved['results'] == json.loads(json.dumps(summary['results']))
    res = saved['results']
    assert set(res) >= {'counts', 'partner_object_missed', 'own_object_covered',
                        'semantic_share', 'vs_semantic_share', 'vs_pixel_share'}
    c = res['counts']
    assert c['mixed'] == 3 * 8 and c['evaluated'] > 0
    assert c['same_class'] + c['no_foreground'] + c['both_hidden'] + c['evaluated'] == c['mixed']
    assert set(res['vs_semantic_share']) == {'area_lam', 'sumix_lam', 'pred_ratio',
                                             'sumix_lam@10', 'constant_half'}
    for table in ('vs_semantic_share', 'vs_pixel_share'):
        for name, st in res[table].items():
            assert st['n'] == c['evaluated']
            assert st['mae'] is not None and 0 <= st['mae'] <= 1, (table, name, st)
    for key in ('partner_object_missed', 'own_object_covered'):
        assert 0 <= res[key]['fraction'] <= 1
    assert saved['scale'] == 100.  # the config's SUMixLoss scale
    assert saved['max_composition_error'] <= sr.RECON_TOL
    with open(osp.join(work, 'semantic_ratio.md')) as f:
        md = f.read()
    assert "SUMix lam' (scale 100)" in md and '| area lam (CutMix) |' in md

    # the data is reused, and the same seed gives the same numbers
    params_file = osp.join(data_root, 'meta', 'params.json')
    mtime = os.stat(params_file).st_mtime_ns
    again = sr.main(argv + ['--no-plot'])
    assert os.stat(params_file).st_mtime_ns == mtime
    assert again['results'] == summary['results']


# ------------------------------------------------- data without foreground masks
def test_movement_counts(sr):
    lam = torch.tensor([.5, .5, .5, .5, .5], dtype=torch.float64)
    new = torch.tensor([.6, .4, .5, .9, .6], dtype=torch.float64)
    ratio = torch.tensor([.8, .8, .8, .6, .5], dtype=torch.float64)
    mv = sr.movement(lam, new, ratio)
    # toward: 0 (and 3, which overshoots: not closer); away: 1, and 4 (ratio = lam)
    assert (mv['toward']['count'], mv['away']['count'], mv['unchanged']['count']) == (2, 2, 1)
    assert mv['closer']['count'] == 1 and mv['toward']['fraction'] == pytest.approx(.4)


def test_foreground_detection(sr, tmp_path, synthetic_cls_root):
    assert sr.has_foreground(str(tmp_path / 'not_there'))  # to be generated
    assert sr.has_foreground(synthetic_cls_root)
    (tmp_path / 'real' / 'meta').mkdir(parents=True)
    assert not sr.has_foreground(str(tmp_path / 'real'))
    with pytest.raises(ValueError, match='--ann-file'):  # synthetic data: aligned lists only
        sr.main(['--data-root', str(tmp_path / 'not_there'), '--ann-file', 'meta/x.txt',
                 '--work-dir', str(tmp_path / 'w')])
    with pytest.raises(ValueError, match='--data-root'):
        sr.main(['--data-root', str(tmp_path / 'not_there'), '--no-foreground',
                 '--work-dir', str(tmp_path / 'w')])


SUMIX_CIFAR = 'configs/cifar10_jpeg/resnet18-w16_cutmix-sumix_cifar10-jpeg-2k.py'


@pytest.fixture(scope='module')
def cifar_sumix(cifar10_jpeg_root, tmp_path_factory):
    """The CIFAR-10 CutMix + SUMix config run for one epoch of batch 25 on the
    tiny training list (4 iterations) with mmengine's Runner: its checkpoint."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    root = cifar10_jpeg_root
    work = str(tmp_path_factory.mktemp('sumix_cifar'))
    cfg = Config.fromfile(osp.join(ROOT, SUMIX_CIFAR))
    cfg.merge_from_dict(dict(
        tiny_cifar10_options(root), **{'env_cfg.dist_cfg': dict(backend='gloo'),
                                        'randomness': dict(seed=0, deterministic=False),
                                        'log_level': 'WARNING'}))
    cfg.work_dir = work
    Runner.from_cfg(cfg).train()
    ckpt = osp.join(work, 'epoch_1.pth')
    assert osp.isfile(ckpt)
    return root, osp.join(ROOT, SUMIX_CIFAR), ckpt


def test_without_foreground_end_to_end_on_cifar10(sr, cifar_sumix, tmp_path):
    """The mode on real images (auto-detected): output files and keys, value
    ranges, the statistics recomputed by hand from the per-sample records,
    the clean top-1 against mmengine's test loop, determinism under --seed."""
    import numpy as np
    root, config, ckpt = cifar_sumix
    work = str(tmp_path / 'work')
    argv = ['--config', config, '--checkpoint', ckpt, '--data-root', root, '--ann-file',
            'meta/tiny_test.txt', '--work-dir', work, '--rounds', '2', '--batch-size', '50',
            '--seed', '3', '--extra-scales', '10']
    summary, rec = sr.main(argv, return_records=True)

    for name in ('semantic_ratio.json', 'semantic_ratio.md', 'semantic_ratio.png'):
        assert osp.isfile(osp.join(work, name)), name
    with open(osp.join(work, 'semantic_ratio.json')) as f:
        saved = json.load(f)
    assert saved['results'] == json.loads(json.dumps(summary['results']))
    assert saved['mode'] == 'no_foreground' and saved['scale'] == 100.
    assert saved['num_images'] == 200 and saved['ann_file'] == 'meta/tiny_test.txt'
    res = saved['results']
    c = res['counts']
    assert c['mixed'] == 2 * 200 and c['same_class'] + c['evaluated'] == c['mixed']
    assert c['evaluated'] > 300  # different-class pairs, about 90 %
    assert set(res['vs_area_lam']) == {'sumix_lam', 'sumix_lam@10', 'pred_ratio'}
    assert set(res['vs_pred_ratio']) == {'area_lam', 'sumix_lam', 'sumix_lam@10',
                                         'constant_half'}
    for table in ('vs_area_lam', 'vs_pred_ratio'):
        for name, st in res[table].items():
            assert st['n'] == c['evaluated'] and 0 <= st['mae'] <= 1, (table, name)
            assert -1 <= st['bias'] <= 1
            assert st['pearson'] is None or -1 <= st['pearson'] <= 1
    for key, mv in res['sumix_movement'].items():
        assert mv['n'] == c['evaluated']
        assert mv['toward']['count'] + mv['away']['count'] + mv['unchanged']['count'] == mv['n']
        assert 0 <= mv['closer']['fraction'] <= 1
    assert 0 <= saved['clean_top1'] <= 100
    md = (tmp_path / 'work' / 'semantic_ratio.md').read_text()
    assert "| SUMix lam' (scale 100) | area lam (CutMix) |" in md and 'toward the ratio' in md

    # by hand from the per-sample records: over the different-class samples
    keep = (rec['y_a'] != rec['y_b']).numpy()
    lam, new, ratio = (rec[k].numpy()[keep] for k in ('area_lam', 'sumix_lam', 'pred_ratio'))
    assert keep.sum() == c['evaluated']
    assert ((lam >= 0) & (lam <= 1) & (new >= 0) & (new <= 1)).all()
    st = res['vs_area_lam']['sumix_lam']
    assert st['mae'] == pytest.approx(np.abs(new - lam).mean(), abs=1e-12)
    assert st['bias'] == pytest.approx((new - lam).mean(), abs=1e-12)
    assert st['pearson'] == pytest.approx(np.corrcoef(new, lam)[0, 1], abs=1e-9)
    st = res['vs_pred_ratio']['sumix_lam']
    assert st['mae'] == pytest.approx(np.abs(new - ratio).mean(), abs=1e-12)
    assert st['pearson'] == pytest.approx(np.corrcoef(new, ratio)[0, 1], abs=1e-9)
    assert res['vs_pred_ratio']['area_lam']['mae'] == pytest.approx(
        np.abs(lam - ratio).mean(), abs=1e-12)
    shift, gap = new - lam, ratio - lam
    toward = (np.abs(shift) > sr.MOVE_TOL) & (shift * gap > 0)
    assert res['sumix_movement']['sumix_lam']['toward']['count'] == int(toward.sum())
    assert res['sumix_movement']['sumix_lam']['closer']['count'] == int(
        (np.abs(new - ratio) < np.abs(lam - ratio)).sum())

    # the clean top-1 is what mmengine's test loop measures with this checkpoint
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(config)
    cfg.merge_from_dict({'test_dataloader.dataset.data_root': root,
                         'test_dataloader.dataset.ann_file': 'meta/tiny_test.txt',
                         'env_cfg.dist_cfg': dict(backend='gloo'), 'log_level': 'WARNING'})
    cfg.work_dir, cfg.load_from = str(tmp_path / 'test'), ckpt
    top1 = Runner.from_cfg(cfg).test()['accuracy/top1']
    assert saved['clean_top1'] == pytest.approx(float(top1), abs=1e-3)

    # the same seed gives the same numbers; the explicit flag selects the same mode
    again = sr.main(argv + ['--no-plot', '--no-foreground'])
    assert again['results'] == summary['results']
