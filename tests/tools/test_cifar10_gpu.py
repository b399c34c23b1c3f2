"""tools/benchmarks/cifar10_gpu.py: the epoch-budget rule, the probe's timing, the
scalars.json collection (a resumed run with two timestamp folders, a restarted one), the
generated run configs, and the whole command on a CPU at toy size on the real archive."""
import csv
import json
import os
import os.path as osp
import subprocess
import sys
import time

import pytest

from conftest import ROOT, load_tool

ARCHIVE = osp.join(osp.dirname(ROOT), 'shared', 'data', 'cifar10-jpeg.tar.gz')
METHODS = ['vanilla', 'mixup', 'cutmix', 'automix']


@pytest.fixture(scope='module')
def gpu():
    return load_tool('benchmarks/cifar10_gpu')


def _write_scalars(work_dir, ts, entries, broken_tail=False):
    d = osp.join(work_dir, ts, 'vis_data')
    os.makedirs(d, exist_ok=True)
    with open(osp.join(d, 'scalars.json'), 'w', encoding='utf-8') as f:
        for e in entries:
            f.write(json.dumps(e) + '\n')
        if broken_tail:  # a process killed while writing
            f.write('{"accuracy/top1": 9')


def _epochs(first, last, base):
    """mmengine's entries for epochs first..last: two training windows, then the test top-1
    (logged with step = epoch)."""
    out = []
    for ep in range(first, last + 1):
        out += [dict(lr=0.1, loss=2.0, time=0.05, data_time=0.01, epoch=ep, iter=i, step=i)
                for i in ((ep - 1) * 4 + 2, ep * 4)]
        out.append({'accuracy/top1': base + ep, 'data_time': 0.01, 'time': 0.02, 'step': ep})
    return out


def test_epoch_rule_slowest_method_sets_the_number(gpu):
    timing = {m: dict(s_per_iter=0.02, startup_s=10.) for m in METHODS[:3]}
    timing['automix'] = dict(s_per_iter=0.06, startup_s=12.)
    epochs, plan = gpu.choose_epochs(480., 40., timing, iters_per_epoch=500, n_test=10000)
    # test pass: 0.5 * 10,000 images * 0.02 s / 100 = 1 s; AutoMix epoch: 500 * 0.06 + 1 + 2
    assert plan['val_s_estimate'] == pytest.approx(1.0)
    assert plan['epoch_s_estimate']['automix'] == pytest.approx(33.0)
    # floor(0.9 * (480 - 40 - 20 - 12) / 33) = floor(11.13)
    assert epochs == 11
    assert plan['epochs_that_fit']['vanilla'] > plan['epochs_that_fit']['automix']
    # every method is predicted to finish before budget - reserve
    assert max(plan['predicted_finish_s'].values()) <= 480 - plan['reserve_s']
    assert not plan['over_budget']
    # the cost-2-3x AutoMix step is what limits: cheaper AutoMix -> more epochs
    timing['automix']['s_per_iter'] = 0.03
    assert gpu.choose_epochs(480., 40., timing)[0] > epochs


def test_epoch_rule_clamps(gpu):
    timing = {m: dict(s_per_iter=0.05, startup_s=5.) for m in METHODS}
    epochs, plan = gpu.choose_epochs(100., 90., timing)  # budget already spent
    assert epochs == 1 and plan['over_budget']
    assert gpu.choose_epochs(10**7, 0., timing, max_epochs=50)[0] == 50


def test_probe_timing_drops_the_first_window(gpu):
    windows = [dict(time=t, data_time=0.001, loss=1., step=10 * (i + 1))
               for i, t in enumerate([0.9, 0.05, 0.07, 0.06, 0.04])]
    t = gpu.probe_timing(windows, n_windows=3)
    assert t['s_per_iter'] == pytest.approx(0.06)  # median of the last 3: .07 .06 .04
    assert t['windows'] == 3
    assert gpu.probe_timing(windows[:2])['s_per_iter'] == pytest.approx(0.05)
    assert gpu.probe_timing(windows[:1]) is None


def test_collect_a_resumed_run_over_two_timestamp_folders(gpu, tmp_path):
    wd = str(tmp_path / 'automix')
    # killed during epoch 4 (a half-written last line), resumed from the epoch-3 checkpoint
    _write_scalars(wd, '20260101_100000', _epochs(1, 3, 10.), broken_tail=True)
    _write_scalars(wd, '20260101_103000', _epochs(4, 5, 10.))
    os.makedirs(osp.join(wd, 'configs'))  # other folders are not logs
    assert gpu.collect_top1(wd) == {1: 11., 2: 12., 3: 13., 4: 14., 5: 15.}
    # the training windows come from the newest folder
    assert [w['step'] for w in gpu.train_windows(wd)] == [14, 16, 18, 20]
    # started again from scratch in the same work dir: the new epochs replace the old ones
    _write_scalars(wd, '20260101_110000', _epochs(1, 2, 50.))
    assert gpu.collect_top1(wd) == {1: 51., 2: 52.}
    assert gpu.collect_top1(str(tmp_path / 'missing')) == {}


def test_generated_configs(gpu, tmp_path):
    from mmengine.config import Config
    for epochs in (1, 7):
        for m in METHODS:
            path = tmp_path / f'{m}_{epochs}.py'
            path.write_text(gpu.run_config(m, epochs, '/data/c10', 3, True, width=16 if
                                           m == 'automix' else None))
            cfg = Config.fromfile(str(path))
            assert cfg.train_cfg.max_epochs == epochs
            assert cfg.train_dataloader.num_workers == 3
            assert cfg.train_dataloader.persistent_workers and cfg.env_cfg.cudnn_benchmark
            assert cfg.train_dataloader.dataset.data_root == '/data/c10'
            assert cfg.val_dataloader.dataset.ann_file == 'meta/test.txt'
            assert cfg.train_dataloader.dataset.ann_file == 'meta/train.txt'
            assert cfg.train_dataloader.batch_size == 100
            scheds = cfg.param_scheduler
            assert scheds[0].type == 'LinearLR' and scheds[0].end == 1
            if epochs == 1:  # warm-up only
                assert len(scheds) == 1
            else:  # cosine from epoch 1 to the run's last epoch, to 0
                assert scheds[1].type == 'CosineAnnealingLR'
                assert (scheds[1].begin, scheds[1].end, scheds[1].eta_min) == (1, epochs, 0)
            opt = cfg.optim_wrapper.optimizer
            assert (opt.lr, opt.momentum, opt.weight_decay) == (0.1, 0.9, 1e-4)
            if m == 'automix':
                assert cfg.model.backbone.base_channels == 16
                assert cfg.model.mix_block.in_channels == 64 and cfg.model.alpha == 2.0
    probe = tmp_path / 'probe.py'
    probe.write_text(gpu.run_config('mixup', 10**4, '/data/c10', 0, False, probe=True,
                                    log_interval=10))
    cfg = Config.fromfile(str(probe))
    assert cfg.val_cfg is None and cfg.val_dataloader is None
    assert cfg.log_processor.window_size == 10 and cfg.default_hooks.logger.interval == 10
    assert not cfg.train_dataloader.persistent_workers
    assert cfg.model.mixers == [dict(type='Mixup', alpha=1.0)]


@pytest.fixture
def data_root(request, tmp_path):
    """Where the toy run's data goes: the session's prepared copy of the archive when the
    suite has one (shared with the other CIFAR-10 tests; the tool's prepare step then only
    checks it), else a fresh folder that the tool unpacks the archive into."""
    try:
        return request.getfixturevalue('cifar10_jpeg_root')
    except pytest.FixtureLookupError:
        return str(tmp_path / 'data' / 'cifar10-jpeg')


@pytest.mark.skipif(not osp.isfile(ARCHIVE),
                    reason=f'CIFAR-10 JPEG archive not found at {ARCHIVE}')
def test_toy_run_on_cpu_end_to_end(tmp_path, data_root):
    """The whole command on a CPU: prepares the real archive (a no-op on a prepared folder),
    trains the four methods for 1 epoch side by side on 300 images, tests on 100."""
    out = tmp_path / 'out'
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env.pop('OUT', None)
    t0 = time.time()
    proc = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'benchmarks', 'cifar10_gpu.py'), '--toy',
         '--device', 'cpu', '--archive', ARCHIVE,
         '--data-root', data_root,
         '--work-root', str(tmp_path / 'work'), '--out', str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    wall = time.time() - t0
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    with open(out / 'cifar10_gpu.csv', encoding='utf-8') as f:
        rows = {r['method']: r for r in csv.DictReader(f)}
    assert list(rows) == METHODS
    for m, r in rows.items():
        assert r['status'] == 'ok' and r['device'] == 'cpu'
        assert int(r['epochs']) == int(r['epochs_done']) == 1
        assert 0 <= float(r['final_top1']) <= 100 and float(r['best_top1']) >= float(
            r['final_top1'])
        assert 0 < float(r['wall_s']) <= wall
        # each run had its own work dir and generated config
        assert osp.isfile(tmp_path / 'work' / 'configs' / f'{m}.py')
        assert gpu_collect(tmp_path / 'work' / m) == {1: float(r['final_top1'])}
    md = (out / 'cifar10_gpu.md').read_text()
    for m in METHODS:
        assert f'| {m} | 1 |' in md
    plan = json.loads((out / 'plan.json').read_text())
    assert plan['epochs'] == 1 and plan['device'] == 'cpu'
    logs = (out / 'cifar10_gpu_logs.txt').read_text()
    assert all(f'===== {m}: ok' in logs for m in METHODS)
    # a lent GPU machine returns at most 8 files from $OUT, no deeper than 2 folders
    assert sorted(os.listdir(out)) == ['cifar10_gpu.csv', 'cifar10_gpu.md', 'cifar10_gpu_logs.txt',
                                       'cifar10_gpu_per_epoch.csv', 'plan.json']
    # the toy lists: 30 training and 10 test images of every class
    with open(tmp_path / 'work' / 'toy_meta' / 'train_toy.txt') as f:
        labels = [line.split()[-1] for line in f]
    assert len(labels) == 300 and {labels.count(str(c)) for c in range(10)} == {30}


def gpu_collect(work_dir):
    return {ep: round(v, 2) for ep, v in load_tool('benchmarks/cifar10_gpu').collect_top1(
        str(work_dir)).items()}
