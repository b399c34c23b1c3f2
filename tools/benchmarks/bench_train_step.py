"""Time one ResNet-18 training step with each mixup loss, as a ratio to a plain
CutMix + MCE step measured in the same run.

Cases: vanilla (no mixing), Mixup + MCE, CutMix + MCE (the reference, 1.00x),
CutMix + DM(CE), CutMix + SUMix with the paper's clean pass
(``clean_grad=True``: extra forward and backward) and the cheap one
(``clean_grad=False``: extra forward under ``no_grad``).

Every case is a full ``MixupClassifier.train_step`` (data preprocessor, mixing,
forward, loss, backward, SGD step) of a CIFAR-stem ResNet-18 on random data.
The cases are interleaved (one step of each per round) so that drifts of a
shared machine hit all of them alike. Ratios use ``--stat``: ``min`` (default;
the least disturbed step, robust on a shared or busy machine, as ``timeit``
recommends) or ``median``, over ``--repeats`` rounds after ``--warmup`` rounds;
both statistics are written.

Peak memory per case:

* CUDA: ``torch.cuda.max_memory_allocated`` during one step, minus the memory
  allocated before it (the step's activations, gradients and temporaries);
* CPU: torch has no allocator statistics on CPU (and ``tracemalloc`` does not
  see torch's allocations), so each case runs in a forked child process that
  reports the growth of its peak resident set size (``resource.getrusage``
  ``ru_maxrss``) over the first two steps after building the model. This is
  coarser than the CUDA number: it also counts the gradients and SGD momentum
  buffers (the same for every case), allocator caching and page granularity.
  The children are forked before this process computes anything (a fork
  after OpenMP started its threads can hang).

Usage::

    python tools/benchmarks/bench_train_step.py                # cpu (+ cuda when present)
    python tools/benchmarks/bench_train_step.py --batch 32 --size 32 --repeats 10 \\
        --device cpu --out work_dirs/bench_train_step

Targets: CutMix+DM <= 1.05x, CutMix+SUMix (paper) <= 1.6x, CutMix+SUMix (cheap)
<= 1.35x of CutMix+MCE; the model-guided mixers are measured against the
vanilla step (column ``vs vanilla``, always run with them): ManifoldMix+MCE <=
1.05x, PuzzleMix+MCE and CoMixup+MCE (with their saliency forward and backward)
<= 2x (the issue's targets are for batch 100: ``--batch 100``).
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

REFERENCE = 'CutMix+MCE'
#: the 'mixers' entry of the AutoMix cases (built by build_automix)
AUTOMIX = 'AutoMix'
VANILLA = 'vanilla'
TARGETS = {'CutMix+DM': 1.05, 'CutMix+SUMix (paper)': 1.6, 'CutMix+SUMix (cheap)': 1.35,
           # the target is vs plain Mixup, which costs the same as CutMix+MCE
           'AutoMix': 1.5}
#: targets as a ratio to the vanilla step (model-guided mixers, incl. their extra passes)
VANILLA_TARGETS = {'ManifoldMix+MCE': 1.05, 'PuzzleMix+MCE': 2.0, 'CoMixup+MCE': 2.0}


def cases(alpha: float):
    """name -> (mixers, head options)."""
    mce = dict(mix_loss=dict(type='MixedCrossEntropyLoss'))
    cutmix = [dict(type='CutMix', alpha=alpha)]
    sumix = dict(type='SUMixLoss', gamma=0.5, scale=100)
    return {
        VANILLA: (['vanilla'], mce),
        'Mixup+MCE': ([dict(type='Mixup', alpha=alpha)], mce),
        REFERENCE: (cutmix, mce),
        'CutMix+DM': (cutmix, dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1,
                                                 mode='less', idx=0.5))),
        'CutMix+SUMix (paper)': (cutmix, dict(mix_loss=sumix, clean_grad=True)),
        'CutMix+SUMix (cheap)': (cutmix, dict(mix_loss=sumix, clean_grad=False)),
        # model-guided mixers (ratios to CutMix+MCE, a vanilla step plus a cheap mix)
        'ManifoldMix+MCE': ([dict(type='ManifoldMix', alpha=alpha)], mce),
        'PuzzleMix+MCE': ([dict(type='PuzzleMix', alpha=alpha)], mce),
        'AttentiveMix+MCE': ([dict(type='AttentiveMix', alpha=alpha)], mce),
        # Co-Mixup: alpha is its Dirichlet prior (2, the reference's), not a Beta
        'CoMixup+MCE': ([dict(type='CoMixup', alpha=2.0)], mce),
        # AutoMix (its own model, built by build_automix; alpha 2 as its configs): the full
        # recipe, and without the clean CE pass (clean_loss_weight=0)
        'AutoMix': (AUTOMIX, {}),
        'AutoMix (no clean CE)': (AUTOMIX, dict(clean_loss_weight=0.)),
    }


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--num-classes', type=int, default=100)
    p.add_argument('--depth', type=int, default=18, help='ResNet_CIFAR depth')
    p.add_argument('--repeats', type=int, default=10, help='timed rounds (median)')
    p.add_argument('--warmup', type=int, default=2, help='untimed rounds first')
    p.add_argument('--stat', choices=['min', 'median'], default='min',
                   help='statistic of the timed rounds used for the ratios')
    p.add_argument('--alpha', type=float, default=1.0)
    p.add_argument('--device', nargs='+', default=None,
                   help='devices (default: cpu, plus cuda when available)')
    p.add_argument('--cases', nargs='+', default=None, help='subset of cases (default: all)')
    p.add_argument('--no-memory', action='store_true', help='skip the peak-memory measurement')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/bench_train_step',
                   help='output path without extension: writes .json and .md')
    return p.parse_args(argv)


def build_automix(args, opts, device):
    """AutoMix with the same backbone, head and batch as the other cases (stage-3
    Mix Block, the CIFAR settings), its Mix Block a parameter group of the one SGD."""
    from mmmix.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
    torch.manual_seed(args.seed)
    model = MODELS.build(dict(
        type='AutoMix',
        backbone=dict(type='ResNet_CIFAR', depth=args.depth, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=args.num_classes, in_channels=512),
        mix_block=dict(type='PixelMixBlock', in_channels=256), mix_seed=args.seed,
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=args.num_classes,
                               mean=[127.5] * 3, std=[127.5] * 3), **opts))
    model.to(device).train()
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='AutoMixOptimWrapperConstructor', optim_wrapper_cfg=dict(
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9), mix_block=dict(lr_mult=1.0))))(
                model)
    return model, optim


def build_model(args, mixers, head_opts, device):
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401
    from mmmix.registry import MODELS
    init_default_scope('mmmix')
    if mixers == AUTOMIX:
        return build_automix(args, head_opts, device)
    torch.manual_seed(args.seed)
    model = MODELS.build(dict(
        type='MixupClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=args.depth, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=args.num_classes, in_channels=512,
                  **head_opts),
        mixers=list(mixers), mix_seed=args.seed,
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=args.num_classes,
                               mean=[127.5] * 3, std=[127.5] * 3)))
    model.to(device).train()
    from mmengine.optim import OptimWrapper
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9))
    return model, optim


def make_data(args):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(args.seed)
    return dict(
        inputs=[torch.randint(0, 256, (3, args.size, args.size), generator=g,
                              dtype=torch.uint8) for _ in range(args.batch)],
        data_samples=[DataSample().set_gt_label(int(i % args.num_classes))
                      for i in range(args.batch)])


def sync(device):
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)


def step(model, optim, data):
    # train_step may write into the data samples (soft scores): give it fresh ones
    fresh = dict(inputs=data['inputs'],
                 data_samples=[ds.clone() for ds in data['data_samples']])
    return model.train_step(fresh, optim)


def time_cases(args, device, selected):
    built = {name: build_model(args, mixers, opts, device)
             for name, (mixers, opts) in selected.items()}
    data = make_data(args)
    times = {name: [] for name in selected}
    for r in range(args.warmup + args.repeats):
        for name, (model, optim) in built.items():
            sync(device)
            t0 = time.perf_counter()
            log_vars = step(model, optim, data)
            sync(device)
            dt = time.perf_counter() - t0
            if r >= args.warmup:
                times[name].append(dt)
            if not torch.isfinite(torch.as_tensor(log_vars['loss'])):
                raise RuntimeError(f'{name}: non-finite loss')
    return times


def memory_cuda(args, device, selected):
    out = {}
    data = make_data(args)
    for name, (mixers, opts) in selected.items():
        model, optim = build_model(args, mixers, opts, device)
        step(model, optim, data)  # optimizer state, cudnn plans
        sync(device)
        torch.cuda.reset_peak_memory_stats(device)
        before = torch.cuda.memory_allocated(device)
        step(model, optim, data)
        sync(device)
        out[name] = (torch.cuda.max_memory_allocated(device) - before) / 2**20
        del model, optim
        torch.cuda.empty_cache()
    return out, 'torch.cuda.max_memory_allocated during one step minus memory allocated before'


def _rss_child(conn, args, mixers, opts):
    import resource
    try:
        model, optim = build_model(args, mixers, opts, 'cpu')
        data = make_data(args)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for _ in range(2):
            step(model, optim, data)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        conn.send((after - before) / 1024.)  # ru_maxrss is in KiB on Linux
    except Exception as e:  # report, do not hang the parent
        conn.send(repr(e))
    finally:
        conn.close()


def memory_cpu(args, selected, timeout=900):
    """Must run before this process does any torch computation: a child forked
    after OpenMP has started its thread pool can hang."""
    import multiprocessing as mp
    ctx = mp.get_context('fork')
    out = {}
    for name, (mixers, opts) in selected.items():
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_rss_child, args=(child, args, mixers, opts))
        proc.start()
        if not parent.poll(timeout):
            proc.kill()
            raise RuntimeError(f'{name}: memory child gave no answer in {timeout}s')
        value = parent.recv()
        proc.join()
        if isinstance(value, str):
            raise RuntimeError(f'{name}: memory child failed: {value}')
        out[name] = value
    return out, ('growth of the peak resident set size (resource.getrusage ru_maxrss) over the '
                 'first two steps after building the model, in one forked child process per '
                 'case; it includes the gradients and SGD momentum buffers, which are the same '
                 'for every case (psutil is not installed)')


def selected_cases(args):
    selected = cases(args.alpha)
    if args.cases:
        unknown = [c for c in args.cases if c not in selected]
        if unknown:
            raise SystemExit(f'unknown cases {unknown}; valid: {list(selected)}')
        keep = set(args.cases) | {REFERENCE}
        if keep & set(VANILLA_TARGETS):
            keep.add(VANILLA)
        selected = {k: v for k, v in selected.items() if k in keep}
    return selected


def run_device(args, device, cpu_memory=None):
    selected = selected_cases(args)
    raw = time_cases(args, device, selected)
    reduce = min if args.stat == 'min' else statistics.median
    stat = {name: reduce(ts) for name, ts in raw.items()}
    ref = stat[REFERENCE]
    rows = {name: dict(min_ms=1000 * min(raw[name]), median_ms=1000 * statistics.median(raw[name]),
                       ratio=t / ref, target=TARGETS.get(name),
                       meets_target=None if name not in TARGETS else t / ref <= TARGETS[name],
                       times_ms=[1000 * x for x in raw[name]])
            for name, t in stat.items()}
    if VANILLA in stat:
        for name, row in rows.items():
            row['vs_vanilla'] = stat[name] / stat[VANILLA]
            if name in VANILLA_TARGETS:
                row['target_vs_vanilla'] = VANILLA_TARGETS[name]
                row['meets_target'] = row['vs_vanilla'] <= VANILLA_TARGETS[name]
    mem_how = None
    if not args.no_memory:
        if device.startswith('cuda'):
            mem, mem_how = memory_cuda(args, device, selected)
        else:
            mem, mem_how = cpu_memory
        for name, mib in mem.items():
            rows[name]['peak_mem_mib'] = mib
            rows[name]['mem_ratio'] = mib / mem[REFERENCE] if mem[REFERENCE] else None
    return dict(device=device, memory_method=mem_how, cases=rows)


def to_markdown(result):
    lines = []
    env = result['env']
    lines.append(f"# Train-step benchmark (ResNet_CIFAR-{env['depth']}, batch {env['batch']}, "
                 f"{env['size']}x{env['size']}, {env['num_classes']} classes)\n")
    lines.append(f"torch {env['torch']}, {env['platform']}, CPU threads {env['threads']}; "
                 f"{env['repeats']} interleaved rounds after {env['warmup']} warm-up rounds, "
                 f"ratios of the {env['stat']} step time. Command: `{env['command']}`\n")
    for dev in result['devices']:
        lines.append(f"\n## {dev['device']}\n")
        has_mem = dev['memory_method'] is not None
        head = '| case | min step (ms) | median step (ms) | vs CutMix+MCE | vs vanilla | target |'
        sep = '|---|---|---|---|---|---|'
        if has_mem:
            head += ' peak mem (MiB) | mem vs CutMix+MCE |'
            sep += '---|---|'
        lines += [head, sep]
        for name, row in dev['cases'].items():
            goal, of = row['target'], ''
            if row.get('target_vs_vanilla') is not None:
                goal, of = row['target_vs_vanilla'], 'vanilla '
            target = '' if goal is None else (
                f"<= {goal:.2f}x {of}" + ('ok' if row['meets_target'] else 'MISSED'))
            vs_van = '' if row.get('vs_vanilla') is None else f"{row['vs_vanilla']:.2f}x"
            line = (f"| {name} | {row['min_ms']:.1f} | {row['median_ms']:.1f} | "
                    f"{row['ratio']:.2f}x | {vs_van} | {target} |")
            if has_mem:
                mr = row.get('mem_ratio')
                line += (f" {row['peak_mem_mib']:.1f} | "
                         f"{'' if mr is None else f'{mr:.2f}x'} |")
            lines.append(line)
        if has_mem:
            lines.append(f"\nMemory: {dev['memory_method']}.")
    return '\n'.join(lines) + '\n'


def main(argv=None):
    args = parse_args(argv)
    from mmmix.utils.threads import set_benchmark_threads
    set_benchmark_threads(args.threads)  # --threads, $OMP_NUM_THREADS, or the available cores
    devices = args.device or (['cpu'] + (['cuda'] if torch.cuda.is_available() else []))
    result = dict(env=dict(
        torch=torch.__version__, platform=platform.platform(), threads=torch.get_num_threads(),
        cpu_count=os.cpu_count(), batch=args.batch, size=args.size, depth=args.depth,
        num_classes=args.num_classes, repeats=args.repeats, warmup=args.warmup, stat=args.stat,
        cuda=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        command='python ' + ' '.join([osp.relpath(__file__)] + (argv or sys.argv[1:]))),
        devices=[])
    # CPU memory first: it forks, which must happen before any torch computation here
    cpu_memory = None
    if 'cpu' in devices and not args.no_memory:
        cpu_memory = memory_cpu(args, selected_cases(args))
    for device in devices:
        result['devices'].append(run_device(args, device, cpu_memory))
    md = to_markdown(result)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out + '.json', 'w') as f:
            json.dump(result, f, indent=2)
        with open(args.out + '.md', 'w') as f:
            f.write(md)
    print(md)
    return result


if __name__ == '__main__':
    main()
