"""CIFAR-10 (JPEG) on one GPU: vanilla, Mixup, CutMix and AutoMix side by side, in a time budget.

    python tools/benchmarks/cifar10_gpu.py [--archive gpu_carry/cifar10-jpeg.tar.gz]
        [--budget-s 480] [--epochs N] [--device auto|cuda|cpu] [--methods ...]
        [--work-root work_dirs/cifar10_gpu] [--out DIR] [--toy]

One command, three steps (docs/cifar10_gpu.md):

1. **data**: ``tools/dataset_converters/prepare_cifar10_jpeg.py`` checks the
   archive's sha256 and unpacks it into ``--data-root`` (default
   ``data/cifar10-jpeg``; skipped when already done).
2. **runs**: the four configs of ``configs/cifar10_jpeg/`` (full-width
   ResNet-18, all 50,000 training images, the 10,000 test images evaluated
   after every epoch) train at the same time on the one device, as four
   ``tools/train.py`` processes, each with its own work dir
   ``WORK_ROOT/<method>/``, its share of the CPU cores as dataloader workers
   (``cores // runs - 1``, one core left for the process itself) and
   ``OMP_NUM_THREADS`` set. Each run gets a generated config
   ``WORK_ROOT/configs/<method>.py`` (the method's config plus this run's
   epochs: ``max_epochs`` and the cosine's ``end``; its data root, workers and
   logging), so what ran can be read back. Where ``gpu_carry/site`` exists (the packages that
   ``tools/benchmarks/gpu_install.sh`` installs on a GPU machine), it goes
   first on the runs' ``PYTHONPATH``.
3. **table**: test top-1 per epoch is read from each run's
   ``<timestamp>/vis_data/scalars.json`` (every timestamp folder, so a resumed
   run counts all its epochs) into ``cifar10_gpu.md`` (a table with method,
   epochs, final and best top-1, wall time and device, then top-1 per epoch),
   ``cifar10_gpu.csv``, ``cifar10_gpu_per_epoch.csv``, ``plan.json`` and the
   tail of each run's log (``cifar10_gpu_logs.txt``), in ``--out``, else
   ``$OUT`` when it is set (a lent GPU machine returns what is written there),
   else the work root. The tables are rewritten every 30 s while the runs
   train, so a command cut off early still leaves the epochs done.

**Epochs from the budget** (unless ``--epochs`` is given): all four methods
train the same number of epochs, the largest that lets the slowest finish
within ``--budget-s`` seconds counted from this script's start (data
preparation and probe included):

* *probe*: the four runs start together on the full data with validation off;
  once every run has logged ``PROBE_WINDOWS + 1`` windows of
  ``PROBE_INTERVAL`` iterations, all four are stopped at the same moment. A
  method's seconds per iteration ``t_m`` is the median of its last
  ``PROBE_WINDOWS`` windows (mmengine's mean iteration time, data loading
  included), so it is measured while all four share the GPU and the cores (the
  first window, with cuDNN's autotuning, is dropped). Its start-up ``s_m`` is
  the time from launch to its first window less that window's iterations.
* *cost of an epoch*: ``e_m = I * t_m + V + EPOCH_OVERHEAD_S``, with ``I``
  training iterations per epoch (500) and ``V`` the test pass, estimated as
  ``VAL_COST`` (0.5) of a training image of the cheapest method per test image
  (a forward pass is about a third of a training step; the rest is decoding).
  AutoMix's step costs about 2-3 Mixup steps (docs/automix.md, "Step cost"),
  so it is the slowest and sets the number.
* *rule*: ``epochs = floor(SAFETY * min_m (B - elapsed - RESERVE_S - s_m) / e_m)``,
  clamped to ``[1, --max-epochs]``, with ``B`` the budget, ``elapsed`` the
  seconds already spent, ``SAFETY`` 0.9 and ``RESERVE_S`` 20 s for stopping and
  writing the tables. The estimate is conservative: when the cheaper runs
  finish, AutoMix gets the whole device for its last epochs.

Runs still going at ``budget + --grace-s`` are stopped; the table then shows
the epochs they finished (status ``stopped at the deadline``).

``--toy`` is the CPU check of the whole path (the test suite runs it): the
first 30 training and 10 test images of each class of the real archive (lists
written under the work root), the ResNet-18 at base width 16, 1 epoch, no
probe. ``--device cpu`` hides CUDA from the runs (``CUDA_VISIBLE_DEVICES=``);
``auto`` leaves the choice to mmengine's Runner (CUDA when there is one).
"""
import argparse
import csv
import json
import math
import os
import os.path as osp
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PREPARE = osp.join(ROOT, 'tools', 'dataset_converters', 'prepare_cifar10_jpeg.py')
TRAIN = osp.join(ROOT, 'tools', 'train.py')
CFG_DIR = osp.join(ROOT, 'configs', 'cifar10_jpeg')
#: method -> config, in table order
METHODS = {m: osp.join(CFG_DIR, f'resnet18_{m}_cifar10-jpeg.py')
           for m in ('vanilla', 'mixup', 'cutmix', 'automix')}
DEFAULT_ARCHIVE = osp.join(ROOT, 'gpu_carry', 'cifar10-jpeg.tar.gz')
#: where tools/benchmarks/gpu_install.sh installs the carried wheels on a GPU machine
CARRY_SITE = osp.join(ROOT, 'gpu_carry', 'site')
DEFAULT_DATA_ROOT = osp.join(ROOT, 'data', 'cifar10-jpeg')
DEFAULT_WORK_ROOT = osp.join(ROOT, 'work_dirs', 'cifar10_gpu')
TOP1 = 'accuracy/top1'
TRAIN_BATCH = 100
N_TRAIN, N_TEST = 50000, 10000
#: --toy: images per class taken from the head of meta/train.txt / meta/test.txt, base width
TOY = dict(train_per_class=30, test_per_class=10, width=16)

# the epoch rule (module docstring)
PROBE_INTERVAL = 10  # iterations per logged window in the probe
PROBE_WINDOWS = 3  # windows per method that the timing uses (after the first)
VAL_COST = 0.5  # cost of a test image relative to a training image of the cheapest method
EPOCH_OVERHEAD_S = 2.0  # per epoch: checkpoint, worker start, logging
SAFETY = 0.9
RESERVE_S = 20.0
REFRESH_S = 30.0  # how often the tables are rewritten while the runs train
_TS = re.compile(r'^\d{8}_\d{6}$')


def log(msg):
    print(f'[cifar10_gpu {time.strftime("%H:%M:%S")}] {msg}', flush=True)


# --------------------------------------------------------------------------- scalars.json
def scalar_logs(work_dir):
    """``[(timestamp folder, [entries])]`` of a run's ``<ts>/vis_data/scalars.json``, oldest
    first (mmengine names the folders ``YYYYMMDD_HHMMSS``). Lines that do not parse (the last
    line of a killed process) are skipped."""
    out = []
    if not osp.isdir(work_dir):
        return out
    for name in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, name, 'vis_data', 'scalars.json')
        if not _TS.match(name) or not osp.isfile(path):
            continue
        entries = []
        with open(path, encoding='utf-8') as f:
            for line in f:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    entries.append(entry)
        out.append((name, entries))
    return out


def collect_top1(work_dir, key=TOP1):
    """``{epoch: test top-1}`` of a run over all its timestamp folders.

    Folders are read oldest first. A folder whose first evaluated epoch is ``e``
    replaces what the older ones had from epoch ``e`` on: a resumed run (``e`` =
    the epoch after its checkpoint) keeps the epochs before it, a run started
    again from scratch in the same work dir (``e`` = 1) replaces them all.
    """
    history = {}
    for _, entries in scalar_logs(work_dir):
        vals = [(int(e['step']), float(e[key])) for e in entries if key in e and 'step' in e]
        if not vals:
            continue
        first = min(ep for ep, _ in vals)
        history = {ep: v for ep, v in history.items() if ep < first}
        history.update(vals)
    return dict(sorted(history.items()))


def train_windows(work_dir):
    """The logged training windows (``time``, ``data_time`` in s per iteration, ``step``) of
    a run's newest timestamp folder."""
    logs = scalar_logs(work_dir)
    if not logs:
        return []
    return [e for e in logs[-1][1] if 'time' in e and TOP1 not in e and 'loss' in e]


def probe_timing(windows, n_windows=PROBE_WINDOWS):
    """Seconds per training iteration from a probe's windows: the median ``time`` of the last
    ``n_windows`` windows, the first window (cuDNN autotuning, worker start) excluded.
    ``None`` when there are not enough windows."""
    usable = windows[1:]
    if len(usable) < 1:
        return None
    tail = usable[-n_windows:]
    return dict(s_per_iter=statistics.median(float(w['time']) for w in tail),
                data_s_per_iter=statistics.median(float(w.get('data_time', 0.)) for w in tail),
                windows=len(tail))


def choose_epochs(budget_s, elapsed_s, timing, iters_per_epoch=N_TRAIN // TRAIN_BATCH,
                  n_test=N_TEST, batch=TRAIN_BATCH, max_epochs=200, safety=SAFETY,
                  reserve_s=RESERVE_S, val_cost=VAL_COST, epoch_overhead_s=EPOCH_OVERHEAD_S):
    """The number of epochs that lets every method finish in the budget (module docstring).

    ``timing``: ``{method: dict(s_per_iter=t_m, startup_s=s_m)}`` from the probe. Returns
    ``(epochs, plan)``; ``plan`` has every input and the predicted seconds per method.
    """
    cheapest = min(t['s_per_iter'] for t in timing.values())
    val_s = val_cost * n_test * cheapest / batch
    epoch_s = {m: iters_per_epoch * t['s_per_iter'] + val_s + epoch_overhead_s
               for m, t in timing.items()}
    left = budget_s - elapsed_s - reserve_s
    fits = {m: safety * (left - timing[m].get('startup_s', 0.)) / epoch_s[m] for m in timing}
    epochs = int(max(1, min(max_epochs, math.floor(min(fits.values())))))
    predicted = {m: round(elapsed_s + timing[m].get('startup_s', 0.) + epochs * epoch_s[m], 1)
                 for m in timing}
    plan = dict(rule='floor(safety * min_m (budget - elapsed - reserve - startup_m) / epoch_m)',
                budget_s=budget_s, elapsed_s=round(elapsed_s, 1), reserve_s=reserve_s,
                safety=safety, iters_per_epoch=iters_per_epoch, val_s_estimate=round(val_s, 2),
                epoch_s_estimate={m: round(v, 2) for m, v in epoch_s.items()},
                epochs_that_fit={m: round(v, 2) for m, v in fits.items()},
                predicted_finish_s=predicted, epochs=epochs,
                over_budget=min(fits.values()) < 1)
    return epochs, plan


# --------------------------------------------------------------------------- configs
def toy_lists(data_root, dest, train_per_class, test_per_class):
    """Write the head of each class of ``meta/{train,test}.txt`` to ``dest``; returns the
    two absolute paths and their sizes."""
    os.makedirs(dest, exist_ok=True)
    out = []
    for split, k in (('train', train_per_class), ('test', test_per_class)):
        seen, rows = {}, []
        with open(osp.join(data_root, 'meta', f'{split}.txt'), encoding='utf-8') as f:
            for line in f:
                lab = line.split()[-1]
                if seen.get(lab, 0) < k:
                    seen[lab] = seen.get(lab, 0) + 1
                    rows.append(line if line.endswith('\n') else line + '\n')
        path = osp.join(dest, f'{split}_toy.txt')
        with open(path, 'w', encoding='utf-8') as f:
            f.writelines(rows)
        out += [path, len(rows)]
    return tuple(out)


def schedule_for(method, epochs):
    """The method config's ``param_scheduler`` for a run of ``epochs`` epochs: a scheduler that
    ends where the config's training ends now ends at ``epochs``, one that would start at or
    after ``epochs`` is left out (so 1 epoch is the warm-up alone)."""
    from mmengine.config import Config
    cfg = Config.fromfile(METHODS[method]).to_dict()
    length = cfg['train_cfg']['max_epochs']
    scheds = cfg['param_scheduler']
    out = []
    for s in (scheds if isinstance(scheds, (list, tuple)) else [scheds]):
        s = dict(s)
        if s.get('begin', 0) >= epochs:
            continue
        if s.get('end', length) >= length or s.get('end', length) > epochs:
            s['end'] = epochs
        out.append(s)
    return out


def run_config(method, epochs, data_root, workers, cuda, train_ann=None, test_ann=None,
               width=None, probe=False, log_interval=100):
    """The text of a run's generated config: the method's config plus this run's settings."""
    loader = dict(num_workers=workers, persistent_workers=workers > 0, pin_memory=cuda)
    train = dict(loader, dataset=dict(data_root=data_root))
    val = dict(loader, dataset=dict(data_root=data_root))
    if train_ann:
        train['dataset']['ann_file'] = train_ann
    if test_ann:
        val['dataset']['ann_file'] = test_ann
    cfg = dict(
        train_cfg=dict(max_epochs=epochs),
        param_scheduler=schedule_for(method, epochs),
        train_dataloader=train,
        default_hooks=dict(logger=dict(interval=log_interval)),
        log_processor=dict(window_size=log_interval),
        env_cfg=dict(cudnn_benchmark=cuda))
    if probe:  # timing only: no test pass, no checkpoints, stopped from outside
        cfg.update(val_cfg=None, val_dataloader=None, val_evaluator=None)
        cfg['default_hooks']['checkpoint'] = dict(interval=10**6, save_last=False)
    else:
        cfg.update(val_dataloader=val, test_dataloader=val)
    if width:
        model = dict(backbone=dict(stem_channels=width, base_channels=width),
                     head=dict(in_channels=8 * width))
        if method == 'automix':
            model['mix_block'] = dict(in_channels=4 * width)  # stage-3 channels
        cfg['model'] = model
    lines = [f'# generated by tools/benchmarks/cifar10_gpu.py: {method}, '
             f'{"probe" if probe else f"{epochs} epoch(s)"}',
             f'_base_ = [{METHODS[method]!r}]']
    lines += [f'{k} = {v!r}' for k, v in cfg.items()]
    return '\n'.join(lines) + '\n'


# --------------------------------------------------------------------------- processes
class Run:
    """One ``tools/train.py`` process in its own session (so that its dataloader workers
    are stopped with it)."""

    def __init__(self, method, cfg_path, work_dir, env, resume=False, amp=False):
        self.method, self.work_dir = method, work_dir
        os.makedirs(work_dir, exist_ok=True)
        cmd = [sys.executable, TRAIN, cfg_path, '--work-dir', work_dir]
        if resume:
            cmd.append('--resume')
        if amp:
            cmd.append('--amp')
        self.out_path = osp.join(work_dir, 'train.out')
        self._out = open(self.out_path, 'ab')
        self.t0 = time.time()
        self.t_end = None
        self.first_window_t = None
        self.status = 'running'
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def poll(self):
        if self.t_end is None and self.proc.poll() is not None:
            self.t_end = time.time()
            self._out.close()
            if self.status == 'running':
                rc = self.proc.returncode
                self.status = 'ok' if rc == 0 else f'failed (exit {rc})'
        return self.t_end is not None

    def stop(self, status):
        if self.poll():
            return
        self.status = status
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.poll()

    @property
    def wall_s(self):
        return (self.t_end or time.time()) - self.t0

    def tail(self, n=40):
        try:
            with open(self.out_path, 'rb') as f:
                f.seek(max(0, osp.getsize(self.out_path) - 400 * n))
                lines = f.read().decode('utf-8', 'replace').splitlines()
        except OSError:
            return ''
        return '\n'.join(lines[-n:])


def child_env(device, threads):
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    if device == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    if osp.isdir(CARRY_SITE):  # the packages gpu_install.sh put there
        env['PYTHONPATH'] = os.pathsep.join(p for p in (CARRY_SITE, env.get('PYTHONPATH')) if p)
    return env


def launch_all(methods, cfg_texts, work_root, env, resume=False, amp=False, sub=''):
    runs = {}
    cfg_dir = osp.join(work_root, 'configs')
    os.makedirs(cfg_dir, exist_ok=True)
    for m in methods:
        cfg_path = osp.join(cfg_dir, f'{m}{sub}.py')
        with open(cfg_path, 'w', encoding='utf-8') as f:
            f.write(cfg_texts[m])
        wd = osp.join(work_root, f'{m}{sub}')
        if not resume and osp.isdir(wd):
            shutil.rmtree(wd)  # a fresh run: no stale timestamp folders
        runs[m] = Run(m, cfg_path, wd, env, resume=resume, amp=amp)
    return runs


def probe(methods, cfg_texts, work_root, env, timeout_s, interval=PROBE_INTERVAL, amp=False):
    """Run the probe (module docstring) with the generated probe configs ``cfg_texts``
    (windows of ``interval`` iterations); returns ``{method: timing}``."""
    runs = launch_all(methods, cfg_texts, work_root, env, amp=amp, sub='_probe')
    need = PROBE_WINDOWS + 1
    deadline = time.time() + timeout_s
    try:
        while True:
            counts = {}
            for m, r in runs.items():
                n = len(train_windows(r.work_dir))
                if n and r.first_window_t is None:
                    r.first_window_t = time.time()
                counts[m] = n
                if r.poll() and n < need:
                    raise RuntimeError(f'probe of {m} ended ({r.status}) after {n} windows:\n'
                                       f'{r.tail()}')
            if all(n >= need for n in counts.values()):
                break
            if time.time() > deadline:
                log(f'probe timeout ({timeout_s:.0f} s); windows so far: {counts}')
                break
            time.sleep(0.5)
    finally:
        for r in runs.values():
            r.stop('probe stopped')
    timing = {}
    for m, r in runs.items():
        t = probe_timing(train_windows(r.work_dir))
        if t is None:
            raise RuntimeError(f'probe of {m}: no timing after {timeout_s:.0f} s:\n{r.tail()}')
        first = (r.first_window_t or time.time()) - r.t0
        t['startup_s'] = round(max(0., first - interval * t['s_per_iter']), 1)
        timing[m] = t
    return timing


# --------------------------------------------------------------------------- results
def device_name(device):
    if device == 'cpu':
        return 'cpu'
    try:
        import torch
        if torch.cuda.is_available():
            return torch.cuda.get_device_name(0)
    except Exception:  # noqa: BLE001  a name for the table only
        pass
    return 'cpu'


def results(runs, epochs, dev_name):
    rows, per_epoch = [], {}
    for m, r in runs.items():
        hist = collect_top1(r.work_dir)
        per_epoch[m] = hist
        done = max(hist) if hist else 0
        best_ep = max(hist, key=hist.get) if hist else None
        r.poll()
        rows.append(dict(
            method=m, epochs=epochs, epochs_done=done,
            final_top1=round(hist[done], 2) if hist else None,
            best_top1=round(hist[best_ep], 2) if hist else None,
            best_epoch=best_ep, wall_s=round(r.wall_s, 1),
            s_per_epoch=round(r.wall_s / done, 1) if done else None,
            device=dev_name, status=r.status))
    return rows, per_epoch


COLUMNS = ('method', 'epochs', 'epochs_done', 'final_top1', 'best_top1', 'best_epoch', 'wall_s',
           's_per_epoch', 'device', 'status')


def write_outputs(out_dir, rows, per_epoch, plan):
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'cifar10_gpu.csv'), 'w', newline='', encoding='utf-8') as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    methods = [r['method'] for r in rows]
    epochs = sorted({e for h in per_epoch.values() for e in h})
    with open(osp.join(out_dir, 'cifar10_gpu_per_epoch.csv'), 'w', newline='',
              encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(['epoch'] + methods)
        for e in epochs:
            w.writerow([e] + [per_epoch[m].get(e, '') for m in methods])
    with open(osp.join(out_dir, 'plan.json'), 'w', encoding='utf-8') as f:
        json.dump(dict(plan, results=rows), f, indent=2)

    def fmt(v):
        return '' if v is None else f'{v:.2f}' if isinstance(v, float) else str(v)

    lines = ['# CIFAR-10 (JPEG): vanilla / Mixup / CutMix / AutoMix, side by side', '',
             f'Device: {rows[0]["device"] if rows else "?"}; {plan.get("setting", "")}', '',
             '| method | epochs | final top-1 (%) | best top-1 (%) | wall s | device | status |',
             '|---|---:|---:|---:|---:|---|---|']
    for r in rows:
        ep = (f'{r["epochs_done"]}' if r['epochs_done'] == r['epochs']
              else f'{r["epochs_done"]} of {r["epochs"]}')
        lines.append(f'| {r["method"]} | {ep} | {fmt(r["final_top1"])} | '
                     f'{fmt(r["best_top1"])} | {fmt(r["wall_s"])} | {r["device"]} | '
                     f'{r["status"]} |')
    lines += ['', '## Test top-1 (%) per epoch', '',
              '| epoch | ' + ' | '.join(methods) + ' |',
              '|---:|' + '---:|' * len(methods)]
    for e in epochs:
        lines.append(f'| {e} | ' + ' | '.join(fmt(per_epoch[m].get(e)) for m in methods) + ' |')
    if plan.get('epoch_rule'):
        lines += ['', '## How the epochs were chosen', '', '```',
                  json.dumps(plan['epoch_rule'], indent=2), '```']
    with open(osp.join(out_dir, 'cifar10_gpu.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')


def copy_logs(runs, out_dir, max_lines=300):
    """The tail of each run's console output (mmengine's log included) in one file,
    ``out_dir/cifar10_gpu_logs.txt`` (a lent machine returns at most 8 files)."""
    with open(osp.join(out_dir, 'cifar10_gpu_logs.txt'), 'w', encoding='utf-8') as f:
        for m, r in runs.items():
            f.write(f'===== {m}: {r.status}, {r.out_path} (last {max_lines} lines)\n')
            f.write(r.tail(max_lines) + '\n\n')


# --------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--archive', default=DEFAULT_ARCHIVE,
                   help='cifar10-jpeg.tar.gz (default: gpu_carry/cifar10-jpeg.tar.gz in the '
                        'checkout, where tools/benchmarks/gpu_carry.sh puts it)')
    p.add_argument('--data-root', default=DEFAULT_DATA_ROOT)
    p.add_argument('--budget-s', type=float, default=480.,
                   help='wall-clock seconds for the whole command (data, probe, runs, tables)')
    p.add_argument('--grace-s', type=float, default=30.,
                   help='runs still going at budget + grace are stopped')
    p.add_argument('--epochs', type=int, help='fixed number of epochs (no probe)')
    p.add_argument('--max-epochs', type=int, default=200)
    p.add_argument('--probe', action='store_true',
                   help='probe even with --toy (to check the epoch rule on a CPU)')
    p.add_argument('--probe-timeout-s', type=float, default=None,
                   help='default: a quarter of the budget')
    p.add_argument('--device', choices=('auto', 'cuda', 'cpu'), default='auto')
    p.add_argument('--methods', nargs='+', choices=list(METHODS), default=list(METHODS))
    p.add_argument('--workers', type=int, help='dataloader workers per run '
                   '(default: cores // runs - 1)')
    p.add_argument('--threads', type=int, help='OMP_NUM_THREADS per run (default: 1 with CUDA, '
                   'else cores // runs)')
    p.add_argument('--amp', action='store_true', help='mixed precision (tools/train.py --amp)')
    p.add_argument('--resume', action='store_true',
                   help='resume each run from its work dir (needs the --epochs it started with)')
    p.add_argument('--work-root', default=DEFAULT_WORK_ROOT)
    p.add_argument('--out', help='where the tables go (default: $OUT, else the work root)')
    p.add_argument('--toy', action='store_true',
                   help='CPU-sized check: 30 train / 10 test images per class, width 16, '
                        '1 epoch')
    args = p.parse_args(argv)
    if args.resume and args.epochs is None:
        p.error('--resume needs --epochs (the number the runs started with: the cosine '
                'schedule depends on it)')
    return args


def main(argv=None):
    t_start = time.time()
    args = parse_args(argv)
    if osp.isdir(CARRY_SITE) and CARRY_SITE not in sys.path:  # mmengine on a GPU machine
        sys.path.insert(0, CARRY_SITE)
    work_root = osp.abspath(args.work_root)
    out_dir = osp.abspath(args.out or os.environ.get('OUT') or work_root)
    os.makedirs(work_root, exist_ok=True)

    # the device: the runs' Runner picks CUDA when it sees one; cpu hides it from them
    device = args.device
    if device != 'cpu':
        import torch
        has_cuda = torch.cuda.is_available()
        if device == 'cuda' and not has_cuda:
            raise SystemExit('error: --device cuda but torch sees no CUDA device')
        device = 'cuda' if has_cuda else 'cpu'
    cuda = device == 'cuda'
    dev_name = device_name(device)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()
    n = len(args.methods)
    workers = args.workers if args.workers is not None else max(0, cores // n - 1)
    threads = args.threads or (1 if cuda else max(1, cores // n))
    log(f'device {dev_name}; {n} runs side by side, {workers} dataloader workers and '
        f'{threads} thread(s) each ({cores} cores)')

    # 1. data
    log(f'preparing the data from {args.archive}')
    rc = subprocess.run([sys.executable, PREPARE, '--archive', args.archive, '--out',
                         args.data_root], cwd=ROOT).returncode
    if rc:
        msg = f'data preparation from {args.archive} failed (exit {rc})'
        write_outputs(out_dir, [], {}, dict(device=dev_name, error=msg))
        raise SystemExit(f'error: {msg}')
    data_root = osp.abspath(args.data_root)
    train_ann = test_ann = None
    iters_per_epoch, n_test, width = N_TRAIN // TRAIN_BATCH, N_TEST, None
    if args.toy:
        train_ann, n_tr, test_ann, n_test = toy_lists(
            data_root, osp.join(work_root, 'toy_meta'), TOY['train_per_class'],
            TOY['test_per_class'])
        iters_per_epoch, width = math.ceil(n_tr / TRAIN_BATCH), TOY['width']

    env = child_env(device, threads)

    def texts(epochs, probe_run=False, log_interval=100):
        return {m: run_config(m, epochs, data_root, workers, cuda, train_ann, test_ann, width,
                              probe=probe_run, log_interval=log_interval)
                for m in args.methods}

    # 2. epochs: fixed, or from the probe and the budget
    plan = dict(setting=f'{n} runs side by side on one device, batch {TRAIN_BATCH}, '
                        f'{"toy data" if args.toy else "50,000 train / 10,000 test images"}',
                device=dev_name, budget_s=args.budget_s, workers_per_run=workers,
                threads_per_run=threads, methods=args.methods)
    if args.epochs is not None or (args.toy and not args.probe):
        epochs = args.epochs or 1
        plan['epoch_rule'] = dict(fixed=epochs)
    else:
        interval = 1 if args.toy else PROBE_INTERVAL
        ptexts = texts(10**4, probe_run=True, log_interval=interval)
        timeout = args.probe_timeout_s or args.budget_s / 4
        log(f'probe: timing {PROBE_WINDOWS} windows of {interval} iteration(s) per run '
            f'(timeout {timeout:.0f} s)')
        try:
            timing = probe(args.methods, ptexts, work_root, env, timeout, interval=interval,
                           amp=args.amp)
        except RuntimeError as e:
            write_outputs(out_dir, [], {}, dict(plan, error=str(e)))
            raise SystemExit(f'error: {e}')
        epochs, rule = choose_epochs(args.budget_s, time.time() - t_start, timing,
                                     iters_per_epoch=iters_per_epoch, n_test=n_test,
                                     max_epochs=args.max_epochs)
        plan['epoch_rule'] = dict(rule, probe=timing)
        log(f'probe: {json.dumps(timing)}')
        log(f'epochs: {epochs} (predicted finish per method, s: {rule["predicted_finish_s"]})')

    # 3. the runs, side by side
    hard_deadline = t_start + args.budget_s + args.grace_s
    plan['epochs'] = epochs
    log(f'training {", ".join(args.methods)} for {epochs} epoch(s)')
    runs = launch_all(args.methods, texts(epochs), work_root, env, resume=args.resume,
                      amp=args.amp)
    last_write = time.time()
    try:
        while not all([r.poll() for r in runs.values()]):  # poll every run: its end time
            if time.time() > hard_deadline:
                log('budget + grace reached: stopping the runs still going')
                for r in runs.values():
                    r.stop('stopped at the deadline')
                break
            if time.time() - last_write > REFRESH_S:
                write_outputs(out_dir, *results(runs, epochs, dev_name), plan)
                copy_logs(runs, out_dir)
                last_write = time.time()
            time.sleep(1)
    finally:
        for r in runs.values():
            r.stop('stopped')
    rows, per_epoch = results(runs, epochs, dev_name)
    plan['total_wall_s'] = round(time.time() - t_start, 1)
    write_outputs(out_dir, rows, per_epoch, plan)
    copy_logs(runs, out_dir)
    with open(osp.join(out_dir, 'cifar10_gpu.md'), encoding='utf-8') as f:
        print(f.read())
    log(f'tables in {out_dir} ({plan["total_wall_s"]} s in all)')
    return 0 if all(r['status'] == 'ok' for r in rows) else 1


if __name__ == '__main__':
    sys.exit(main())
