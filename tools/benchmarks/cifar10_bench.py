"""The CIFAR-10 (JPEG) CPU benchmark: a resumable grid of training runs.

    python tools/benchmarks/cifar10_bench.py list
    python tools/benchmarks/cifar10_bench.py run [--group core peer ...] [--only NAME ...]
                                                 [--jobs 2] [--stop-after SECONDS]
    python tools/benchmarks/cifar10_bench.py collect

Every run trains one method with one seed under the protocol of
``configs/_base_/cifar10-jpeg-2k_benchmark.py`` (docs/cifar10_benchmark.md):
mmmix runs go through ``tools/train.py``, the independent peer through
``tools/benchmarks/cifar10_peer.py``. ``run`` starts ``--jobs`` runs side by
side, each as its own process with one thread (``OMP_NUM_THREADS=1``):

* a run whose result is committed (``RESULTS/runs/<name>.json``) is skipped;
* a run with a checkpoint in its work dir (``WORK_ROOT/<name>/``) resumes
  from it (``tools/train.py --resume``; the peer resumes by itself), so a
  killed grid is continued by running the same command again;
* a finished run's test top-1 history, wall time and provenance are written
  to ``RESULTS/runs/<name>.json`` at once, so an interrupted grid keeps what
  it finished.

``collect`` turns the committed runs (and the progress of unfinished ones in
the work root) into ``RESULTS/results.csv`` (one row per run),
``RESULTS/summary.md`` (mean +- std over seeds per method) and
``RESULTS/curves.png`` (test top-1 against epoch). Wall time counts the
seconds the run's process was alive, summed over its attempts (a heartbeat
every 30 s keeps it when the grid is killed).
"""
import argparse
import hashlib
import json
import os
import os.path as osp
import platform
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RESULTS = osp.join(ROOT, 'docs', 'results', 'cifar10_jpeg')
WORK_ROOT = osp.join(ROOT, 'work_dirs', 'cifar10_bench')
CFG_DIR = 'configs/cifar10_jpeg'
EPOCHS = 100
#: the reported number: the median test top-1 of the last LAST_K epochs
LAST_K = 10


@dataclass
class Run:
    """One grid cell: a method (config or peer method) trained with one seed."""
    method: str
    seed: int
    group: str
    kind: str = 'mmmix'  # or 'peer'
    cost: float = 1.0  # relative to a vanilla run (the order of magnitude of its wall time)
    epochs: int = EPOCHS
    last_k: int = LAST_K
    #: extra ``--cfg-options`` (mmmix) or arguments (peer); tests shrink a run with them
    cfg_options: List[str] = field(default_factory=list)
    peer_args: List[str] = field(default_factory=list)
    config_path: Optional[str] = None

    @property
    def name(self) -> str:
        prefix = 'peer-' if self.kind == 'peer' else 'semisup-' if self.group == 'semisup' else ''
        return f'{prefix}{self.method}_s{self.seed}'

    @property
    def config(self) -> Optional[str]:
        if self.kind != 'mmmix':
            return None
        if self.config_path:
            return self.config_path
        return f'{CFG_DIR}/resnet18-w16_{self.method}_cifar10-jpeg-2k.py'


#: the core methods get three seeds, the rest one (in this order: seed 0 of
#: the core set and its peer first, so a short session yields a comparison)
CORE = ('vanilla', 'mixup', 'cutmix', 'automix', 'cutmix-dm', 'cutmix-sumix')
REST = ('manifoldmix', 'fmix', 'saliencymix', 'resizemix', 'gridmix', 'smoothmix',
        'attentivemix', 'puzzlemix', 'comixup', 'mixup-dm', 'fmix-dm', 'resizemix-dm',
        'manifoldmix-dm', 'fmix-sumix', 'resizemix-sumix', 'saliencymix-sumix')
PEER = ('vanilla', 'mixup', 'cutmix')
#: measured step cost relative to vanilla (tools/benchmarks/bench_train_step.py, rounded)
COST = {'automix': 3.6, 'cutmix-sumix': 2.2, 'fmix-sumix': 2.2, 'resizemix-sumix': 2.2,
        'saliencymix-sumix': 2.4, 'puzzlemix': 1.7, 'comixup': 1.8, 'attentivemix': 1.4,
        'saliencymix': 1.1, 'saliencymix-dm': 1.1}
SEEDS = (0, 1, 2)
#: semi-supervised runs with 4,000 labels (iteration based: reported at the last iteration)
SEMISUP = ('labeled-only', 'fixmatch', 'fixmatch-dm')
SEMISUP_ITERS = 2000


def grid() -> List[Run]:
    """Every cell, in the order ``run`` starts them: per seed, AutoMix (the longest) first,
    then each peer method right after its mmmix twin, then the rest of the core set; the
    semi-supervised runs after seed 0; the other methods last."""
    order = ['automix', 'vanilla', 'mixup', 'peer-vanilla', 'peer-mixup', 'cutmix',
             'peer-cutmix', 'cutmix-dm', 'cutmix-sumix']
    assert {m for m in order if not m.startswith('peer-')} == set(CORE)
    assert {m[5:] for m in order if m.startswith('peer-')} == set(PEER)
    runs = []
    for seed in SEEDS:
        for m in order:
            if m.startswith('peer-'):
                runs.append(Run(m[5:], seed, 'peer', kind='peer', cost=0.8))
            else:
                runs.append(Run(m, seed, 'core', cost=COST.get(m, 1.0)))
        if seed == 0:
            runs += [Run(m, 0, 'semisup', cost=2.5, epochs=SEMISUP_ITERS, last_k=1,
                         config_path=f'configs/semisup/resnet18-w16_{m}-4000l_cifar10-jpeg.py')
                     for m in SEMISUP]
    runs += [Run(m, 0, 'rest', cost=COST.get(m, 1.0)) for m in REST]
    return runs


# --------------------------------------------------------------------------- results
def result_path(run: Run, results: str = RESULTS) -> str:
    return osp.join(results, 'runs', f'{run.name}.json')


def read_json(path: str) -> Optional[dict]:
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path: str, obj) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write('\n')
    os.replace(tmp, path)


def mmengine_history(work_dir: str) -> Dict[str, Dict[int, float]]:
    """Test top-1 and train loss per epoch from every attempt's ``vis_data/scalars.json``.

    A resumed run has one timestamped folder per attempt; they are read in time
    order and a later attempt's value for an epoch replaces an earlier one's.
    """
    top1: Dict[int, float] = {}
    loss: Dict[int, float] = {}
    if not osp.isdir(work_dir):
        return dict(top1=top1, loss=loss)
    for stamp in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, stamp, 'vis_data', 'scalars.json')
        if not osp.isfile(path):
            continue
        with open(path, encoding='utf-8') as f:
            for line in f:
                try:
                    rec = json.loads(line)
                except ValueError:  # a line cut by a kill
                    continue
                if 'accuracy/top1' in rec and 'step' in rec:
                    top1[int(rec['step'])] = float(rec['accuracy/top1'])
                elif 'loss' in rec and 'epoch' in rec:
                    loss[int(rec['epoch'])] = float(rec['loss'])
    return dict(top1=top1, loss=loss)


def run_history(run: Run, work_dir: str) -> Dict[int, float]:
    """``{epoch: test top-1}`` measured so far by a run (either kind)."""
    if run.kind == 'peer':
        res = read_json(osp.join(work_dir, 'result.json'))
        if res is None:
            res = read_json(osp.join(work_dir, 'progress.json')) or {}
        return {int(k): float(v) for k, v in res.get('history', {}).items()}
    return mmengine_history(work_dir)['top1']


def summarise(history: Dict[int, float], epochs: int = EPOCHS, last_k: int = LAST_K) -> dict:
    """The reported numbers of one run: median of the last ``last_k`` epochs, best, final."""
    tail = [history[e] for e in range(epochs - last_k + 1, epochs + 1) if e in history]
    return dict(median_last=statistics.median(tail) if len(tail) == last_k else None,
                best=max(history.values()) if history else None,
                final=history.get(epochs))


def config_digest(config: str) -> str:
    """sha256 (12 hex) of the fully merged config text: which protocol a result is from."""
    from mmengine.config import Config
    text = Config.fromfile(osp.join(ROOT, config)).pretty_text
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- running
def command(run: Run, work_dir: str, python: str = sys.executable) -> List[str]:
    if run.kind == 'peer':
        return [python, osp.join(ROOT, 'tools/benchmarks/cifar10_peer.py'), '--method',
                run.method, '--seed', str(run.seed), '--work-dir', work_dir, '--epochs',
                str(run.epochs), '--threads', '1'] + run.peer_args
    cmd = [python, osp.join(ROOT, 'tools/train.py'), osp.join(ROOT, run.config), '--work-dir',
           work_dir, '--cfg-options', f'randomness.seed={run.seed}'] + run.cfg_options
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        cmd.append('--resume')
    return cmd


def is_finished(run: Run, work_dir: str) -> bool:
    return summarise(run_history(run, work_dir), run.epochs, run.last_k)['median_last'] is not None


def finish(run: Run, work_dir: str, state: dict, results: str = RESULTS) -> dict:
    """Write the committed result of a finished run."""
    import torch
    history = run_history(run, work_dir)
    res = dict(name=run.name, method=run.method, seed=run.seed, group=run.group,
               kind=run.kind, epochs=run.epochs, last_k=run.last_k, history={str(k): v for k, v in
                                                      sorted(history.items())},
               wall_s=state['wall_s'], cpu_s=state.get('cpu_s'), threads=1,
               torch=torch.__version__,
               machine=f'{platform.machine()} {os.cpu_count()} cpus',
               **summarise(history, run.epochs, run.last_k))
    if run.kind == 'mmmix':
        res['config'] = run.config
        res['config_sha'] = config_digest(run.config)
        res['train_loss'] = {str(k): v for k, v in
                             sorted(mmengine_history(work_dir)['loss'].items())}
    write_json(result_path(run, results), res)
    return res


def proc_cpu_s(pid: int) -> Optional[float]:
    """CPU seconds (user + system) a live process has used so far, from ``/proc`` (Linux);
    ``None`` where that is not readable."""
    try:
        with open(f'/proc/{pid}/stat', encoding='utf-8') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class _Attempt:
    """One process of a run: when it started, what earlier attempts had used."""
    run: Run
    proc: subprocess.Popen
    log: object
    t0: float
    wall0: float
    cpu0: Optional[float]  # None: an earlier attempt's CPU time was not recorded
    beat: float
    cpu: float = 0.0  # this attempt's CPU seconds so far

    def state(self, now: float) -> dict:
        return dict(wall_s=round(self.wall0 + now - self.t0, 1),
                    cpu_s=None if self.cpu0 is None else round(self.cpu0 + self.cpu, 1))


class Grid:
    """Runs pending grid cells, ``jobs`` at a time, each in its own process.

    Each run's ``bench_state.json`` (in its work dir) keeps the wall and CPU
    seconds of its attempts; a heartbeat updates it every ``HEARTBEAT_S``, so
    a grid killed without warning loses at most that much of the count. CPU
    time is the honest cost on a shared machine, where wall time also counts
    the waits for a core.
    """

    HEARTBEAT_S = 30

    def __init__(self, runs: List[Run], jobs: int = 2, work_root: str = WORK_ROOT,
                 results: str = RESULTS, stop_after: Optional[float] = None, log=print):
        self.runs, self.jobs, self.work_root, self.results = runs, jobs, work_root, results
        self.stop_after, self.log = stop_after, log
        self.active: Dict[str, _Attempt] = {}
        self.failed: List[str] = []

    def _state_path(self, run):
        return osp.join(self.work_root, run.name, 'bench_state.json')

    def _state(self, run) -> dict:
        state = read_json(self._state_path(run)) or {}
        wall = state.get('wall_s', 0.0)
        return dict(wall_s=wall, cpu_s=state.get('cpu_s', None if wall else 0.0))

    def _wall(self, run) -> float:
        return self._state(run)['wall_s']

    def _save(self, att: _Attempt, now: float) -> dict:
        state = att.state(now)
        write_json(self._state_path(att.run), state)
        return state

    def pending(self) -> List[Run]:
        return [r for r in self.runs if not osp.isfile(result_path(r, self.results))]

    def _start(self, run: Run):
        work_dir = osp.join(self.work_root, run.name)
        os.makedirs(work_dir, exist_ok=True)
        env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1',
                   PYTHONHASHSEED='0')
        cmd = command(run, work_dir)
        resumed = '--resume' in cmd or osp.isfile(osp.join(work_dir, 'last.pth'))
        logf = open(osp.join(work_dir, 'bench.log'), 'a', encoding='utf-8')
        logf.write(f'\n=== {time.strftime("%Y-%m-%d %H:%M:%S")} {" ".join(cmd)}\n')
        logf.flush()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
        prev, now = self._state(run), time.time()
        self.active[run.name] = _Attempt(run, proc, logf, now, prev['wall_s'], prev['cpu_s'],
                                         now)
        self.log(f'[bench] start {run.name}' + (' (resuming)' if resumed else ''))

    def _reap(self, att: _Attempt, block: bool) -> Optional[int]:
        """The exit code of an ended attempt (``None``: still running), recording the CPU
        time the kernel reports for it."""
        pid, status, usage = os.wait4(att.proc.pid, 0 if block else os.WNOHANG)
        if pid == 0:
            cpu = proc_cpu_s(att.proc.pid)
            if cpu is not None:
                att.cpu = cpu
            return None
        att.cpu = usage.ru_utime + usage.ru_stime
        att.proc.returncode = os.waitstatus_to_exitcode(status)
        att.log.close()
        return att.proc.returncode

    def _poll(self):
        now = time.time()
        for name, att in list(self.active.items()):
            code = self._reap(att, block=False)
            if code is None:
                if now - att.beat >= self.HEARTBEAT_S:
                    self._save(att, now)
                    att.beat = now
                continue
            del self.active[name]
            state = self._save(att, now)
            work_dir = osp.join(self.work_root, name)
            if code == 0 and is_finished(att.run, work_dir):
                res = finish(att.run, work_dir, state, self.results)
                self.log(f'[bench] done  {name}: median of the last {att.run.last_k} epochs '
                         f'{res["median_last"]:.2f}, best {res["best"]:.2f}, '
                         f'{state["wall_s"] / 60:.1f} min wall, {_minutes(state["cpu_s"])} min CPU')
            else:
                self.failed.append(name)
                self.log(f'[bench] FAILED {name} (exit {code}); see {work_dir}/bench.log')

    def stop(self, *_):
        """Terminate the active runs (they resume from their last checkpoint)."""
        for name, att in list(self.active.items()):
            os.killpg(att.proc.pid, signal.SIGTERM)
            deadline = time.time() + 30
            while self._reap(att, block=False) is None:
                if time.time() > deadline:
                    os.killpg(att.proc.pid, signal.SIGKILL)
                    self._reap(att, block=True)
                    break
                time.sleep(0.2)
            self._save(att, time.time())
            self.log(f'[bench] stopped {name}; it resumes on the next `run`')
        self.active.clear()

    def run(self, poll_s: float = 5.0, should_stop=None) -> List[str]:
        """Run the pending cells; returns the names of the failed ones.

        ``should_stop`` (a callable, checked at every poll) and ``stop_after``
        stop the active runs the way a kill would, leaving them resumable.
        """
        queue = self.pending()
        self.log(f'[bench] {len(queue)} pending run(s) of {len(self.runs)}, {self.jobs} at a '
                 f'time; work root {self.work_root}')
        start = time.time()
        try:
            while queue or self.active:
                late = ((self.stop_after is not None and time.time() - start > self.stop_after)
                        or (should_stop is not None and should_stop()))
                while queue and len(self.active) < self.jobs and not late:
                    self._start(queue.pop(0))
                if late:
                    self.stop()
                    break
                time.sleep(poll_s)
                self._poll()
        except KeyboardInterrupt:
            self.stop()
            raise
        return self.failed


# --------------------------------------------------------------------------- collect
def load_results(results: str = RESULTS) -> List[dict]:
    folder = osp.join(results, 'runs')
    if not osp.isdir(folder):
        return []
    return [read_json(osp.join(folder, n)) for n in sorted(os.listdir(folder))
            if n.endswith('.json')]


def method_label(res: dict) -> str:
    return ('peer ' if res['kind'] == 'peer' else '') + res['method']


def summary_rows(results: List[dict]) -> List[dict]:
    """Mean +- std (sample std over seeds) per method, best median first."""
    by_method: Dict[str, List[dict]] = {}
    for res in results:
        by_method.setdefault(method_label(res), []).append(res)
    rows = []
    for label, rs in by_method.items():
        med = [r['median_last'] for r in rs]
        best = [r['best'] for r in rs]
        rows.append(dict(method=label, seeds=len(rs), median_mean=statistics.mean(med),
                         median_std=statistics.stdev(med) if len(med) > 1 else None,
                         best_mean=statistics.mean(best),
                         wall_min=statistics.mean(r['wall_s'] for r in rs) / 60.,
                         cpu_min=_mean_minutes([r.get('cpu_s') for r in rs])))
    return sorted(rows, key=lambda r: -r['median_mean'])


def _minutes(seconds) -> str:
    return '-' if seconds is None else f'{seconds / 60:.1f}'


def _mean_minutes(seconds: List[Optional[float]]) -> Optional[float]:
    """Mean in minutes of the known values (``None`` when none is known)."""
    known = [x for x in seconds if x is not None]
    return statistics.mean(known) / 60. if known else None


def _minutes_of(minutes) -> str:
    return '-' if minutes is None else f'{minutes:.1f}'


def _pm(mean, std):
    return f'{mean:.2f}' + (f' ± {std:.2f}' if std is not None else '')


def write_outputs(results: List[dict], in_progress: List[str], out: str = RESULTS) -> None:
    os.makedirs(out, exist_ok=True)
    with open(osp.join(out, 'results.csv'), 'w', encoding='utf-8') as f:
        f.write('name,method,kind,seed,median_last10,best,final,wall_s,cpu_s,config_sha\n')
        for r in results:
            f.write(f'{r["name"]},{r["method"]},{r["kind"]},{r["seed"]},{r["median_last"]:.2f},'
                    f'{r["best"]:.2f},{r["final"]:.2f},{r["wall_s"]:.0f},'
                    f'{"" if r.get("cpu_s") is None else round(r["cpu_s"])},'
                    f'{r.get("config_sha", "")}\n')
    cls = [r for r in results if r['group'] != 'semisup']
    semi = [r for r in results if r['group'] == 'semisup']
    lines = ['# CIFAR-10 (JPEG) CPU benchmark', '',
             'Written by `python tools/benchmarks/cifar10_bench.py collect`; protocol in '
             '`docs/cifar10_benchmark.md`. Test top-1 (%) on the 10,000 test images: the median '
             f'of the last {LAST_K} epochs (mean ± sample std over seeds) and the best epoch; '
             'wall and CPU minutes per run (one thread each; wall time also counts waiting for a '
             'core on a busy machine; - where an attempt ran before CPU time was recorded).', '',
             '| method | seeds | median of last 10 | best | wall min / run | CPU min / run |',
             '|---|---:|---:|---:|---:|---:|']
    for row in summary_rows(cls):
        lines.append(f'| {row["method"]} | {row["seeds"]} | '
                     f'{_pm(row["median_mean"], row["median_std"])} | {row["best_mean"]:.2f} | '
                     f'{row["wall_min"]:.1f} | {_minutes_of(row["cpu_min"])} |')
    if semi:
        lines += ['', f'Semi-supervised, 4,000 labels, {SEMISUP_ITERS} iterations: test top-1 '
                  'at the last iteration and the best of the evaluations (every 250).', '',
                  '| method | seeds | final | best | wall min / run | CPU min / run |',
                  '|---|---:|---:|---:|---:|---:|']
        for row in summary_rows(semi):
            lines.append(f'| {row["method"]} | {row["seeds"]} | '
                         f'{_pm(row["median_mean"], row["median_std"])} | '
                         f'{row["best_mean"]:.2f} | {row["wall_min"]:.1f} | '
                         f'{_minutes_of(row["cpu_min"])} |')
    if in_progress:
        lines += ['', 'Not finished yet (resumable with `cifar10_bench.py run`): '
                  + ', '.join(in_progress) + '.']
    with open(osp.join(out, 'summary.md'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines) + '\n')
    plot_curves(results, osp.join(out, 'curves.png'))


def plot_curves(results: List[dict], path: str) -> None:
    """Test top-1 against epoch, the seed mean of each core and peer method."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    curves: Dict[str, Dict[int, List[float]]] = {}
    for r in results:
        if r['group'] not in ('core', 'peer'):
            continue
        c = curves.setdefault(method_label(r), {})
        for e, v in r['history'].items():
            c.setdefault(int(e), []).append(v)
    fig, ax = plt.subplots(figsize=(8, 5))
    # one colour per method, the peer dashed in its mmmix twin's colour
    methods = sorted({label.replace('peer ', '') for label in curves})
    colours = {m: plt.get_cmap('tab10')(i % 10) for i, m in enumerate(methods)}
    for label in sorted(curves):
        pts = sorted(curves[label].items())
        style = '--' if label.startswith('peer ') else '-'
        n = max(len(v) for _, v in pts)
        ax.plot([e for e, _ in pts], [statistics.mean(v) for _, v in pts], style, marker='.',
                color=colours[label.replace('peer ', '')],
                label=f'{label} ({n} seed{"s" if n > 1 else ""})')
    ax.set_xlabel('epoch')
    ax.set_ylabel('test top-1 (%)')
    ax.set_title('CIFAR-10 (JPEG), 2,000 training images, ResNet-18 w16, 100 epochs')
    ax.grid(alpha=0.3)
    if curves:
        ax.legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def collect(runs: List[Run], work_root: str = WORK_ROOT, results: str = RESULTS,
            log=print) -> List[dict]:
    done = [r for r in load_results(results) if r is not None]
    names = {r['name'] for r in done}
    in_progress = []
    for run in runs:
        if run.name in names:
            continue
        hist = run_history(run, osp.join(work_root, run.name))
        if hist:
            in_progress.append(f'{run.name} (tested to epoch {max(hist)})')
    write_outputs(done, in_progress, results)
    with open(osp.join(results, 'summary.md'), encoding='utf-8') as f:
        log(f.read())
    if osp.abspath(results) == osp.abspath(RESULTS):
        refresh_metafiles()
    return done


def refresh_metafiles():
    """Regenerate the model-zoo metafiles, whose results are read from the committed
    results (tools/misc/gen_metafiles.py)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'mmmix_gen_metafiles', osp.join(ROOT, 'tools', 'misc', 'gen_metafiles.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main([])


# --------------------------------------------------------------------------- CLI
def select(runs: List[Run], groups=None, only=None, seeds=None) -> List[Run]:
    known = {r.name for r in runs}
    for name in only or ():
        if name not in known:
            raise SystemExit(f'--only {name!r}: no such run; `list` shows the names')
    return [r for r in runs if (not groups or r.group in groups)
            and (not only or r.name in only) and (seeds is None or r.seed in seeds)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)
    for name in ('list', 'run', 'collect'):
        s = sub.add_parser(name)
        s.add_argument('--group', nargs='+', choices=['core', 'peer', 'semisup', 'rest'],
                       help='only these groups (default: all)')
        s.add_argument('--only', nargs='+', help='only these run names')
        s.add_argument('--seeds', nargs='+', type=int, help='only these seeds')
        s.add_argument('--work-root', default=WORK_ROOT)
        s.add_argument('--results', default=RESULTS)
        if name == 'run':
            s.add_argument('--jobs', type=int, default=2, help='runs side by side (one '
                           'thread each; default 2)')
            s.add_argument('--stop-after', type=float, default=None,
                           help='stop the active runs after this many seconds (they resume)')
    args = p.parse_args(argv)
    runs = select(grid(), args.group, args.only, args.seeds)
    if args.cmd == 'list':
        for r in runs:
            state = ('done' if osp.isfile(result_path(r, args.results)) else
                     'partial' if run_history(r, osp.join(args.work_root, r.name)) else '-')
            print(f'{r.name:28s} {r.group:5s} cost {r.cost:3.1f}  {state}')
        return 0
    if args.cmd == 'collect':
        collect(runs, args.work_root, args.results)
        return 0
    grid_ = Grid(runs, args.jobs, args.work_root, args.results, args.stop_after)
    signal.signal(signal.SIGTERM, lambda *_: (grid_.stop(), sys.exit(143)))
    failed = grid_.run()
    collect(runs, args.work_root, args.results)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
