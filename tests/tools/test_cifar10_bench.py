"""The CIFAR-10 (JPEG) benchmark: its configs on the real images, the grid runner's
skip / resume / collect, and the independent plain-PyTorch peer."""
import glob
import json
import math
import os
import os.path as osp

import pytest
import torch

from conftest import ROOT, load_tool, tiny_cifar10_options

bench = load_tool('benchmarks/cifar10_bench')
peer = load_tool('benchmarks/cifar10_peer')

BENCH_CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'cifar10_jpeg', '*-2k.py')))


# --------------------------------------------------------------------------- the grid
def test_grid_covers_every_benchmark_config_once():
    runs = bench.grid()
    names = [r.name for r in runs]
    assert len(names) == len(set(names))
    used = {osp.join(ROOT, r.config) for r in runs if r.kind == 'mmmix' and r.group != 'semisup'}
    assert used == set(BENCH_CONFIGS)
    for r in runs:  # every config the grid names exists
        assert r.kind == 'peer' or osp.isfile(osp.join(ROOT, r.config)), r.config
    assert {r.method for r in runs if r.group == 'semisup'} == {
        'labeled-only', 'fixmatch', 'fixmatch-dm'}
    core = {r.method for r in runs if r.group == 'core'}
    assert core == {'vanilla', 'mixup', 'cutmix', 'automix', 'cutmix-dm', 'cutmix-sumix'}
    for m in core:  # three seeds for the core set, one for the rest
        assert sorted(r.seed for r in runs if r.group == 'core' and r.method == m) == [0, 1, 2]
    assert all(r.seed == 0 for r in runs if r.group == 'rest')
    assert {r.method for r in runs if r.kind == 'peer'} == {'vanilla', 'mixup', 'cutmix'}


def test_benchmark_configs_share_one_protocol():
    """Every method config trains the same model size, data, schedule and evaluation."""
    from mmengine.config import Config
    keys = ('train_dataloader', 'val_dataloader', 'param_scheduler', 'train_cfg', 'val_evaluator')
    ref = None
    for path in BENCH_CONFIGS:
        cfg = Config.fromfile(path)
        proto = {k: cfg[k] for k in keys}
        proto['optimizer'] = cfg.optim_wrapper.optimizer
        proto['backbone'] = {k: v for k, v in cfg.model.backbone.items() if k != '_delete_'}
        proto['mean'] = cfg.data_preprocessor.mean
        if ref is None:
            ref = proto
        assert proto == ref, path
    assert ref['train_dataloader']['dataset']['ann_file'] == 'meta/train_200pc_seed0.txt'
    assert ref['val_dataloader']['dataset']['ann_file'] == 'meta/test.txt'
    assert ref['train_cfg']['max_epochs'] == bench.EPOCHS


def test_validation_epochs_are_every_tenth_and_the_last_ten():
    """mmengine's dynamic interval in the schedule tests at the epochs the peer tests at."""
    from mmengine.config import Config
    from mmengine.runner.utils import calc_dynamic_intervals
    import bisect
    cfg = Config.fromfile(BENCH_CONFIGS[0]).train_cfg
    milestones, intervals = calc_dynamic_intervals(cfg.val_interval, cfg.dynamic_intervals)
    tested = []
    for epoch in range(1, cfg.max_epochs + 1):  # EpochBasedTrainLoop.run's rule
        interval = intervals[bisect.bisect(milestones, epoch + 1) - 1]
        if epoch % interval == 0 or epoch == cfg.max_epochs:
            tested.append(epoch)
    assert tested == peer.eval_epochs(cfg.max_epochs, cfg.val_interval)
    assert tested == list(range(10, 91, 10)) + list(range(91, 101))


@pytest.mark.parametrize('path', BENCH_CONFIGS, ids=lambda p: osp.basename(p))
def test_benchmark_config_steps_on_real_images(path, cifar10_jpeg_root):
    """One training iteration and one prediction of each method on a real CIFAR-10 batch."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401
    from mmmix.registry import DATASETS, MODELS
    from mmengine.dataset import pseudo_collate
    from mmengine.optim import build_optim_wrapper
    init_default_scope('mmmix')
    torch.manual_seed(0)
    cfg = Config.fromfile(path)
    ds = DATASETS.build(dict(cfg.train_dataloader.dataset, data_root=cifar10_jpeg_root,
                             ann_file='meta/tiny_train.txt'))
    batch = pseudo_collate([ds[i] for i in range(0, 100, 5)])  # 20 images, two per class
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    model.train()
    losses = model.train_step(batch, optim)
    assert losses and all(torch.isfinite(v).all() for v in losses.values())
    model.eval()
    out = model.val_step(batch)
    assert len(out) == 20 and out[0].pred_score.shape == (10, )


# --------------------------------------------------------------------------- results
def _scalars(folder, lines):
    os.makedirs(osp.join(folder, 'vis_data'))
    with open(osp.join(folder, 'vis_data', 'scalars.json'), 'w') as f:
        f.write('\n'.join(lines) + '\n')


def test_history_merges_resumed_attempts(tmp_path):
    work = str(tmp_path)
    _scalars(osp.join(work, '20260101_000000'), [
        json.dumps(dict(lr=0.1, loss=2.0, epoch=1, iter=20, step=20)),
        json.dumps({'accuracy/top1': 10.0, 'step': 1}),
        json.dumps({'accuracy/top1': 20.0, 'step': 2}),
        '{"accuracy/top1": 99',  # the line a kill cut
    ])
    _scalars(osp.join(work, '20260101_010000'), [  # the resumed attempt redid epoch 2
        json.dumps(dict(lr=0.05, loss=1.5, epoch=2, iter=40, step=40)),
        json.dumps({'accuracy/top1': 25.0, 'step': 2}),
        json.dumps({'accuracy/top1': 30.0, 'step': 3}),
    ])
    hist = bench.mmengine_history(work)
    assert hist['top1'] == {1: 10.0, 2: 25.0, 3: 30.0}
    assert hist['loss'] == {1: 2.0, 2: 1.5}


def test_summarise_needs_every_one_of_the_last_epochs():
    hist = {e: float(e) for e in range(1, 101)}
    s = bench.summarise(hist)
    assert s == dict(median_last=95.5, best=100.0, final=100.0)  # median of 91..100
    del hist[95]
    assert bench.summarise(hist)['median_last'] is None


def _res(name, method, seed, median, kind='mmmix', group='core'):
    return dict(name=name, method=method, seed=seed, kind=kind, group=group,
                median_last=median, best=median + 1, final=median, wall_s=600.0,
                cpu_s=None if method == 'vanilla' else 300.0,
                history={'10': median - 20, '100': median})


def test_summary_is_mean_and_sample_std_over_seeds(tmp_path):
    results = [_res('mixup_s0', 'mixup', 0, 60.0), _res('mixup_s1', 'mixup', 1, 62.0),
               _res('mixup_s2', 'mixup', 2, 64.0), _res('vanilla_s0', 'vanilla', 0, 61.0),
               _res('peer-mixup_s0', 'mixup', 0, 59.0, kind='peer', group='peer')]
    rows = {r['method']: r for r in bench.summary_rows(results)}
    assert rows['mixup']['median_mean'] == 62.0
    assert rows['mixup']['median_std'] == pytest.approx(2.0)  # sample std of 60, 62, 64
    assert rows['vanilla']['median_std'] is None and rows['peer mixup']['seeds'] == 1
    assert [r['method'] for r in bench.summary_rows(results)] == [
        'mixup', 'vanilla', 'peer mixup']
    bench.write_outputs(results, ['cutmix_s0 (tested to epoch 40)'], str(tmp_path))
    md = (tmp_path / 'summary.md').read_text()
    assert '| mixup | 3 | 62.00 ± 2.00 | 63.00 | 10.0 | 5.0 |' in md
    assert '| vanilla | 1 | 61.00 | 62.00 | 10.0 | - |' in md  # CPU time not recorded
    assert 'cutmix_s0 (tested to epoch 40)' in md
    csv = (tmp_path / 'results.csv').read_text().splitlines()
    assert csv[0].startswith('name,method,kind,seed,median_last10') and len(csv) == 6
    assert (tmp_path / 'curves.png').stat().st_size > 1000


# --------------------------------------------------------------------------- skip / resume
def _tiny_runs(data_root):
    """A vanilla mmmix run and a peer run, shrunk to 5 epochs on 100 real images."""
    cfg_opts = [f'{k}={v}' for k, v in tiny_cifar10_options(data_root, max_epochs=5,
                                                            val_interval=1).items()]
    cfg_opts.append('default_hooks.logger.interval=1')
    mm = bench.Run('vanilla', 0, 'core', epochs=5, last_k=2, cfg_options=cfg_opts)
    pr = bench.Run('vanilla', 0, 'peer', kind='peer', epochs=5, last_k=2, peer_args=[
        '--data-root', data_root, '--train-ann', 'meta/tiny_train.txt', '--test-ann',
        'meta/tiny_test.txt', '--val-interval', '1', '--width', '8'])
    return [mm, pr]


def test_runner_resumes_a_killed_run_and_skips_finished_ones(cifar10_jpeg_root, tmp_path):
    work_root, results = str(tmp_path / 'work'), str(tmp_path / 'results')
    runs = _tiny_runs(cifar10_jpeg_root)
    mm_dir = osp.join(work_root, runs[0].name)
    logs = []

    # 1. kill both runs once the mmmix run has saved its second epoch
    grid = bench.Grid(runs, jobs=2, work_root=work_root, results=results, log=logs.append)
    grid.run(poll_s=0.2, should_stop=lambda: len(bench.run_history(runs[0], mm_dir)) >= 2)
    assert any('stopped vanilla_s0' in m for m in logs)
    assert not osp.isfile(bench.result_path(runs[0], results))
    assert osp.isfile(osp.join(mm_dir, 'last_checkpoint'))
    done_before = max(bench.run_history(runs[0], mm_dir))
    assert 2 <= done_before < 5
    wall_before, cpu_before = grid._wall(runs[0]), grid._state(runs[0])['cpu_s']
    assert wall_before > 0 and cpu_before > 0

    # 2. the same command again: both resume and finish
    logs.clear()
    grid = bench.Grid(runs, jobs=2, work_root=work_root, results=results, log=logs.append)
    assert grid.run(poll_s=0.2) == []
    assert any('start vanilla_s0 (resuming)' in m for m in logs)
    with open(osp.join(mm_dir, 'bench.log')) as f:
        text = f.read()
    assert text.count('=== ') == 2 and '--resume' in text.split('=== ')[-1]
    assert 'Resuming' in text or 'resumed' in text.lower()
    for run in runs:
        res = bench.read_json(bench.result_path(run, results))
        assert sorted(int(e) for e in res['history']) == [1, 2, 3, 4, 5]
        assert res['median_last'] == pytest.approx(
            (res['history']['4'] + res['history']['5']) / 2)
        assert 0 <= res['best'] <= 100
    res = bench.read_json(bench.result_path(runs[0], results))
    assert res['wall_s'] > wall_before and len(res['config_sha']) == 12
    # the CPU time of both attempts (the killed one's counted when it was reaped); one
    # thread, so about the wall time at most
    assert cpu_before < res['cpu_s'] <= res['wall_s'] * 1.5
    # the resumed attempt did not redo the epochs the first one finished
    stamps = sorted(d for d in os.listdir(mm_dir) if osp.isdir(osp.join(mm_dir, d, 'vis_data')))
    assert len(stamps) == 2

    # 3. and once more: nothing to do
    logs.clear()
    grid = bench.Grid(runs, jobs=2, work_root=work_root, results=results, log=logs.append)
    assert grid.pending() == [] and grid.run(poll_s=0.2) == []
    assert not any('start' in m for m in logs)

    # collect: the committed results become the table
    done = bench.collect(runs, work_root, results, log=lambda *_: None)
    assert {r['name'] for r in done} == {'vanilla_s0', 'peer-vanilla_s0'}
    assert '| peer vanilla | 1 |' in open(osp.join(results, 'summary.md')).read()


# --------------------------------------------------------------------------- the peer
def test_peer_schedule_is_mmengines_warmup_plus_cosine():
    """The peer's lr equals mmengine's LinearLR + CosineAnnealingLR (iteration based)."""
    from mmengine.optim.scheduler import CosineAnnealingLR, LinearLR
    iters, epochs = 20, 6
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheds = [LinearLR.build_iter_from_epoch(opt, start_factor=0.1, by_epoch=True, begin=0,
                                             end=1, epoch_length=iters),
              CosineAnnealingLR.build_iter_from_epoch(opt, by_epoch=True, begin=1, end=epochs,
                                                      eta_min=0., epoch_length=iters)]
    for it in range(iters * epochs):
        assert opt.param_groups[0]['lr'] == pytest.approx(peer.lr_at(it, iters, epochs), abs=1e-9)
        opt.step()
        for s in scheds:
            s.step()


def test_peer_augment_is_a_padded_crop_and_flip():
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(1, 256, (64, 3, 8, 8), dtype=torch.uint8)  # no zeros inside
    out = peer.augment(x, gen, pad=2)
    assert out.shape == x.shape and out.dtype == torch.uint8
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(64):  # each output is one window of the padded image, maybe flipped
        windows = [padded[i, :, oy:oy + 8, ox:ox + 8] for oy in range(5) for ox in range(5)]
        windows += [w.flip(-1) for w in windows]
        assert any(torch.equal(out[i], w) for w in windows)
    flips = sum(not any(torch.equal(out[i], padded[i, :, oy:oy + 8, ox:ox + 8])
                        for oy in range(5) for ox in range(5)) for i in range(64))
    assert 15 < flips < 49  # about half


def test_peer_resume_equals_an_uninterrupted_run(cifar10_jpeg_root, tmp_path):
    kw = dict(epochs=3, data_root=cifar10_jpeg_root, train_ann='meta/tiny_train.txt',
              test_ann='meta/tiny_test.txt', batch_size=20, val_interval=1, width=8)
    straight = peer.train('mixup', 0, str(tmp_path / 'a'), log=lambda *_: None, **kw)

    class Kill(Exception):
        pass

    def killer(msg):
        if 'epoch 2/3' in msg:
            raise Kill
    with pytest.raises(Kill):
        peer.train('mixup', 0, str(tmp_path / 'b'), log=killer, **kw)
    assert not (tmp_path / 'b' / 'result.json').exists()
    lines = []
    resumed = peer.train('mixup', 0, str(tmp_path / 'b'), log=lines.append, **kw)
    assert lines[0].startswith('resumed') and 'epoch 2' in lines[0]
    assert resumed['history'] == straight['history']
    assert set(straight['history']) == {'1', '2', '3'}
    with pytest.raises(ValueError, match='another --work-dir'):  # other settings, same dir
        peer.train('mixup', 0, str(tmp_path / 'b'), log=lambda *_: None, **dict(kw, width=16))


def test_peer_mixup_targets_are_timms():
    """The peer's Mixup/CutMix rows use timm's sampler: soft targets of the pair."""
    from timm.data import Mixup
    assert peer.METHODS['mixup'] == dict(mixup_alpha=1.0, cutmix_alpha=0.0)
    assert peer.METHODS['cutmix'] == dict(mixup_alpha=0.0, cutmix_alpha=0.2)
    mix = Mixup(**peer.METHODS['cutmix'], prob=1.0, switch_prob=0.0, mode='batch',
                correct_lam=True, label_smoothing=0.0, num_classes=10)
    x = torch.randn(8, 3, 32, 32)
    y = torch.arange(8)
    _, t = mix(x.clone(), y)
    assert torch.allclose(t.sum(1), torch.ones(8))
    lam = t[0, 0].item()
    assert math.isclose(t[7, 7].item(), lam, abs_tol=1e-6)  # batch mode flips the batch
    assert math.isclose(t[0, 7].item(), 1 - lam, abs_tol=1e-6)
