"""Torch threads and dataloader workers from the cores a process may use.

On a small or busy machine, torch's default (one thread per core) plus the
dataloader workers ask for more cores than exist, and every step waits on the
scheduler. :func:`plan_threads` picks the torch threads as the cores left
after the workers, within the CPU affinity and the ranks that share the
machine, and respects ``OMP_NUM_THREADS`` when it is set. Floating-point
reductions depend on the thread count, so runs with different counts differ
in the last digits and, over many steps, slightly in their metrics.
"""
import os
from dataclasses import dataclass
from typing import Optional

from .validation import ConfigError

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def available_cores() -> int:
    """Cores in this process's CPU affinity, shared out among the ranks that
    torchrun starts on this machine (``LOCAL_WORLD_SIZE``)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity API (macOS)
        cores = os.cpu_count() or 1
    ranks = os.environ.get('LOCAL_WORLD_SIZE', '1')
    ranks = int(ranks) if ranks.isdigit() and int(ranks) > 0 else 1
    return max(1, cores // ranks)


def _positive_env(name: str) -> Optional[int]:
    value = os.environ.get(name, '').strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f'{name}={value!r} must be a positive integer')
    return int(value)


@dataclass
class ThreadPlan:
    cores: int
    threads: int
    workers: int
    reason: str
    explicit_workers: bool = False

    def describe(self, config_workers: int) -> str:
        asked = '' if config_workers == self.workers else f' (the config asked {config_workers})'
        return (f'{self.cores} core(s) available; torch threads {self.threads} '
                f'({self.reason}), dataloader workers {self.workers}{asked}; '
                'override with --threads / --workers')


def config_workers(cfg) -> int:
    """The largest ``num_workers`` among the config's dataloaders."""
    return max([int((cfg.get(k) or {}).get('num_workers', 0) or 0) for k in LOADERS] + [0])


def plan_threads(config_workers: int, threads: Optional[int] = None,
                 workers: Optional[int] = None) -> ThreadPlan:
    """Choose torch threads and dataloader workers.

    ``workers`` defaults to the config's, capped at the available cores;
    ``threads`` to ``OMP_NUM_THREADS`` when set, else the cores left after the
    workers (at least one)."""
    for key, value in (('threads', threads), ('workers', workers)):
        if value is not None and (not isinstance(value, int) or value < (1 if key == 'threads'
                                                                          else 0)):
            raise ConfigError(f'--{key}={value!r} must be an integer >= '
                              f"{1 if key == 'threads' else 0}")
    cores = available_cores()
    explicit = workers is not None
    if not explicit:
        workers = min(config_workers, cores)
    if threads is not None:
        reason = '--threads'
    elif _positive_env('OMP_NUM_THREADS') is not None:
        threads, reason = _positive_env('OMP_NUM_THREADS'), 'OMP_NUM_THREADS'
    else:
        threads = max(1, cores - workers)
        reason = 'cores minus workers' if workers else 'available cores'
    return ThreadPlan(cores, threads, workers, reason, explicit)


def apply_thread_plan(cfg, plan: ThreadPlan) -> None:
    """Set torch's threads and the dataloaders' ``num_workers``: exactly
    ``--workers`` when given, else each loader's own capped at the plan's (a
    loader without workers also gets ``persistent_workers=False``, which torch
    requires)."""
    import torch
    torch.set_num_threads(plan.threads)
    for key in LOADERS:
        loader = cfg.get(key)
        if not loader:
            continue
        own = int(loader.get('num_workers', 0) or 0)
        loader['num_workers'] = plan.workers if plan.explicit_workers else min(own, plan.workers)
        if loader['num_workers'] == 0:
            loader['persistent_workers'] = False


def add_thread_args(parser) -> None:
    """``--threads`` and ``--workers`` for a command-line tool."""
    parser.add_argument('--threads', type=int,
                        help='torch CPU threads (default: $OMP_NUM_THREADS, else the available '
                             'cores minus the dataloader workers)')
    parser.add_argument('--workers', type=int,
                        help="dataloader workers of every loader (default: the config's, at most "
                             'the available cores)')


def configure_threads(cfg, args, log=print) -> ThreadPlan:
    """Plan and apply threads and workers for ``cfg`` from a tool's ``args``, and log
    the choice."""
    asked = config_workers(cfg)
    plan = plan_threads(asked, threads=args.threads, workers=args.workers)
    apply_thread_plan(cfg, plan)
    log(f'mmmix: {plan.describe(asked)}')
    return plan


def set_benchmark_threads(threads: Optional[int] = None) -> ThreadPlan:
    """For a benchmark without dataloader workers: ``--threads``, else
    ``OMP_NUM_THREADS``, else the available cores; set and print."""
    import torch
    plan = plan_threads(0, threads=threads)
    torch.set_num_threads(plan.threads)
    print(f'mmmix: {plan.cores} core(s) available; torch threads {plan.threads} '
          f'({plan.reason}); override with --threads', flush=True)
    return plan
