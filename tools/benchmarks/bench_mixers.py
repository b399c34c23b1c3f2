"""Time every mmmix mixer on one fixed batch against its peers.

Peers: mmpretrain's ``Mixup``/``CutMix``/``ResizeMix`` batch augments, timm's
``Mixup`` in mixup-only and cutmix-only modes (skipped with a note when timm is
not installed: ``pip install timm``, the ``bench`` extra), and ``x.clone()``
as the memory-traffic floor.

Every method goes through the batch-augment interface ``(inputs, targets) ->
(inputs, targets)`` and gets a fresh copy of the batch made outside the timed
region (several methods, e.g. mmpretrain's CutMix, modify their input in
place). The reported time is the median over ``--repeats`` after a warm-up.

Usage::

    python tools/benchmarks/bench_mixers.py --repeats 10
    python tools/benchmarks/bench_mixers.py --batch 64 --size 224 --device cpu cuda \\
        --out work_dirs/bench_mixers

Model-guided rows: PuzzleMix with its vectorised grid solver against the
reference design's per-sample CPU loop (the same mask problem and transport,
but each sample's mask solved by gco's alpha-beta swap on the CPU, as the
PuzzleMix/OpenMixup code does), at a fixed ``--puzzle-blocks`` grid; the JSON
also records the mean relative energy gap of the torch solver to gco's
solution on that problem. AttentiveMix is timed without a peer.

Targets: every mmmix mixer with a peer is at least as fast as the fastest peer
of the same method (``vs peer <= 1``; PuzzleMix: ``<= 1/3``, at least 3x faster
than the reference loop), and Mixup is within 2x of ``clone``.

On a CPU shared with other busy processes, multi-threaded kernels stall while
their worker threads wait to be scheduled, and medians become noise; use
``--threads 1`` there (every method runs under the same setting, and the
methods take turns within each repeat). ``min_ms`` is kept in the JSON too.
"""
import argparse
import json
import math
import os
import os.path as osp
import platform
import statistics
import sys
import time
from typing import Callable, Dict, List

import numpy as np
import torch
import torch.nn.functional as F

# the peers' families: which method each row is compared within
FAMILIES = ('Mixup', 'CutMix', 'ResizeMix', 'FMix', 'GridMix', 'SmoothMix', 'SaliencyMix',
            'PuzzleMix', 'AttentiveMix', 'CoMixup')
# mixers that need model signals: timed with a fixed random input gradient / guide
# feature map made once per batch shape outside the timed region (the extra
# saliency pass is part of bench_train_step.py)
MODEL_GUIDED = ('PuzzleMix', 'AttentiveMix', 'CoMixup')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--size', type=int, default=224)
    p.add_argument('--channels', type=int, default=3)
    p.add_argument('--num-classes', type=int, default=1000)
    p.add_argument('--repeats', type=int, default=20, help='timed runs per method (median)')
    p.add_argument('--warmup', type=int, default=2, help='untimed runs per method first')
    p.add_argument('--device', nargs='+', default=None,
                   help='devices to time on (default: cpu, plus cuda when available)')
    p.add_argument('--lam-modes', nargs='+', default=['batch', 'elem'], choices=['batch', 'elem'],
                   help="mmmix lam modes to time (peers draw one lam per batch, like 'batch')")
    p.add_argument('--methods', nargs='+', default=list(FAMILIES), choices=list(FAMILIES))
    p.add_argument('--alpha', type=float, default=1.0)
    p.add_argument('--puzzle-blocks', type=int, default=16,
                   help='PuzzleMix grid size (block_num) for its rows')
    p.add_argument('--puzzle-transport', action='store_true',
                   help='include the (shared, torch) transport step in both PuzzleMix rows')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/bench_mixers',
                   help='output path without extension: writes .json and .md')
    return p.parse_args(argv)


def _sync(device: str):
    if device.startswith('cuda'):
        torch.cuda.synchronize(device)


def time_once(fn: Callable, x: torch.Tensor, score: torch.Tensor, labels: torch.Tensor,
              device: str) -> float:
    """Time (ms) of one ``fn(x_copy, score_copy, labels)``; the copies are made untimed."""
    xi, si = x.clone(), score.clone()
    _sync(device)
    t0 = time.perf_counter()
    fn(xi, si, labels)
    _sync(device)
    return (time.perf_counter() - t0) * 1e3


def time_round_robin(rows: List[Dict], x, score, labels, repeats: int, warmup: int,
                     device: str) -> Dict[int, List[float]]:
    """Times (ms) per row. Rows take turns within every repeat, so a burst of
    load from other processes hits all methods alike instead of one of them."""
    times = {i: [] for i, r in enumerate(rows) if r['fn'] is not None}
    for rep in range(warmup + repeats):
        for i in times:
            dt = time_once(rows[i]['fn'], x, score, labels, device)
            if rep >= warmup:
                times[i].append(dt)
    return times


def build_methods(args) -> List[Dict]:
    """Rows to time: dict(method, impl, lam_mode, fn) plus skip notes."""
    import mmmix  # noqa: F401 (registers the mixers)
    from mmmix import mixers as ours
    rows = [dict(method='clone', impl='floor', lam_mode='-', fn=lambda x, s, y: x.clone())]
    for family in args.methods:
        if family in MODEL_GUIDED:
            continue
        cls = getattr(ours, family)
        for mode in args.lam_modes:
            mixer = cls(alpha=args.alpha, lam_mode=mode)
            rows.append(dict(method=family, impl='mmmix', lam_mode=mode,
                             fn=lambda x, s, y, m=mixer: m(x, s)))
    rows += model_guided_rows(args)
    from mmpretrain.models.utils import batch_augments as pre
    alpha = float(args.alpha)
    for family, make in (('Mixup', lambda: pre.Mixup(alpha=alpha)),
                         ('CutMix', lambda: pre.CutMix(alpha=alpha)),
                         ('ResizeMix', lambda: pre.ResizeMix(alpha=alpha))):
        if family in args.methods:
            aug = make()
            rows.append(dict(method=family, impl='mmpretrain', lam_mode='batch',
                             fn=lambda x, s, y, a=aug: a(x, s)))
    try:
        from timm.data import Mixup as TimmMixup
    except ImportError as e:
        rows.append(dict(method='Mixup/CutMix', impl='timm', lam_mode='batch', fn=None,
                         note=f'skipped: timm not importable ({e}); pip install timm'))
    else:
        for family, kw in (('Mixup', dict(mixup_alpha=alpha, cutmix_alpha=0.)),
                           ('CutMix', dict(mixup_alpha=0., cutmix_alpha=alpha))):
            if family in args.methods:
                aug = TimmMixup(**kw, prob=1.0, mode='batch', label_smoothing=0.,
                                num_classes=args.num_classes)
                rows.append(dict(method=family, impl='timm', lam_mode='batch',
                                 fn=lambda x, s, y, a=aug: a(x, y)))
    return rows


def _signal(cache: dict, key: str, like: torch.Tensor, shape) -> torch.Tensor:
    """A fixed random tensor per batch shape/device (made on the untimed warm-up call)."""
    k = (key, tuple(like.shape), str(like.device))
    if k not in cache:
        g = torch.Generator().manual_seed(1)
        cache[k] = torch.randn(*shape, generator=g).to(like.device)
    return cache[k]


def gco_loop_masks(unary, w_h, w_v, lam, eta: float, n_labels: int,
                   scale: float = 1e6) -> torch.Tensor:
    """The reference design's per-sample mask loop (the PuzzleMix authors'
    ``graphcut_multi``, also in OpenMixup): for every sample, in numpy on the
    CPU, the ``lam`` prior, the per-label unary stack (interpolating the
    label-0 and label-1 costs), the label cost table, the int32 scaling, one
    gco alpha-beta swap, and the mask values. ``unary`` (without the prior,
    ``[N,B,B,L]``) and the edge weights come from the batched torch build, as
    in the reference. Scaling: costs x ``scale``; the pair table
    ``{0, 1/4, 1}`` is passed as ``{0, 1, 4}`` with the weights divided by 4
    (gco takes integers; the reference's float table would truncate)."""
    import gco
    n, b = unary.shape[:2]
    end = unary[..., [0, n_labels - 1]].cpu().numpy()  # label-0 / label-1 costs
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64).reshape(-1), (n, ))
    w_h, w_v = w_h.cpu().numpy(), w_v.cpu().numpy()
    masks = []
    for i in range(n):
        k = np.arange(n_labels)
        comb = np.array([math.comb(n_labels - 1, j) for j in k], dtype=np.float64)
        prob = comb * lam[i]**k * (1 - lam[i])**(n_labels - 1 - k)
        prior = eta * -np.log(prob + 1e-8) / b**2
        levels = np.linspace(0, 1, n_labels)
        cost = np.stack([(1 - v) * end[i, ..., 0] + v * end[i, ..., 1] + prior[j]
                         for j, v in enumerate(levels)], -1)
        pair = np.zeros((n_labels, n_labels), dtype=np.int32)
        for p in range(n_labels):
            for q in range(n_labels):
                pair[p, q] = round(4 * (p - q)**2 / (n_labels - 1)**2)
        labels = gco.cut_grid_graph((cost * scale).astype(np.int32), pair,
                                    (w_v[i] * scale / 4).astype(np.int32),
                                    (w_h[i] * scale / 4).astype(np.int32), algorithm='swap')
        masks.append(levels[labels].reshape(b, b))
    return torch.from_numpy(np.stack(masks)).float().to(unary.device)


def puzzlemix_reference_fn(mixer, cache, quality):
    """PuzzleMix as the reference design runs it: the batched torch problem
    build (here mmmix's own ``mask_problem``, i.e. at least as fast as the
    reference's), then the per-sample numpy + gco loop, the same transport."""
    from mmmix.mixers.graphcut import grid_energy, solve_grid
    from mmmix.mixers.puzzlemix import block_saliency, move_blocks, transport_plan

    def fn(x, s, y):
        n, _, h, w = x.shape
        grad = _signal(cache, 'grad', x, x.shape)
        b = mixer.block_num[0]
        lam = mixer.sample_lam(n)
        index = mixer.sample_index(n).to(x.device)
        sal = block_saliency(grad, b)
        sal_p = sal[index]
        xp = x[index]
        unary, w_h, w_v, pair, levels = mixer.mask_problem(x, xp, sal, sal_p, lam, b,
                                                           with_prior=False)
        z = gco_loop_masks(unary, w_h, w_v, lam.cpu().numpy(), mixer.eta, mixer.n_labels)
        if not quality:  # once (untimed warm-up): torch solver's energy relative to gco's
            full = mixer.mask_problem(x, xp, sal, sal_p, lam, b)[0]
            labels = torch.round(z * (mixer.n_labels - 1)).long()
            e_ref = grid_energy(labels, full, w_h, w_v, pair)
            e_ours = grid_energy(solve_grid(full, w_h, w_v, pair), full, w_h, w_v, pair)
            quality['mean_rel_energy_gap_torch_vs_gco'] = float(
                ((e_ours - e_ref) / e_ref.abs().clamp_min(1e-12)).mean())
            quality['torch_no_worse_share'] = float((e_ours <= e_ref + 1e-7).float().mean())
        xo = x
        if mixer.transport:
            xo = move_blocks(x, transport_plan(sal, z > 0, mixer.t_eps, b), b)
            xp = move_blocks(xp, transport_plan(sal_p, z < 1, mixer.t_eps, b), b)
        mask = F.interpolate(z.unsqueeze(1), size=(h, w), mode='nearest')
        return mask * xo + (1 - mask) * xp, s
    return fn


def model_guided_rows(args) -> List[Dict]:
    from mmmix import mixers as ours
    rows, cache = [], {}
    if 'PuzzleMix' in args.methods:
        quality = {}
        for mode in args.lam_modes:
            m = ours.PuzzleMix(alpha=args.alpha, lam_mode=mode, block_num=args.puzzle_blocks,
                               transport=args.puzzle_transport)
            rows.append(dict(method='PuzzleMix', impl='mmmix', lam_mode=mode,
                             fn=lambda x, s, y, m=m: m.sample(
                                 x, input_grad=_signal(cache, 'grad', x, x.shape))))
        try:
            import gco  # noqa: F401
        except ImportError as e:
            rows.append(dict(method='PuzzleMix', impl='reference loop (gco)', lam_mode='batch',
                             fn=None, note=f'skipped: gco-wrapper not importable ({e})'))
        else:
            ref = ours.PuzzleMix(alpha=args.alpha, block_num=args.puzzle_blocks,
                                 transport=args.puzzle_transport)
            rows.append(dict(method='PuzzleMix', impl='reference loop (gco)', lam_mode='batch',
                             fn=puzzlemix_reference_fn(ref, cache, quality), solver=quality))
    if 'AttentiveMix' in args.methods:
        for mode in args.lam_modes:
            m = ours.AttentiveMix(alpha=args.alpha, lam_mode=mode)
            rows.append(dict(method='AttentiveMix', impl='mmmix', lam_mode=mode,
                             fn=lambda x, s, y, m=m: m.sample(x, guide_feats=_signal(
                                 cache, 'feat', x, (x.shape[0], 512, 7, 7)))))
    if 'CoMixup' in args.methods:  # its reference defaults (B=4, groups of 20); no peer row
        m = ours.CoMixup()
        rows.append(dict(method='CoMixup', impl='mmmix', lam_mode='batch',
                         fn=lambda x, s, y, m=m: m.sample(
                             x, input_grad=_signal(cache, 'grad', x, x.shape))))
    return rows


def summarise(results: List[Dict]) -> None:
    """Add ratio_to_clone and ratio_to_best_peer (in place), per device."""
    for dev in {r['device'] for r in results}:
        rows = [r for r in results if r['device'] == dev and r.get('median_ms') is not None]
        clone = next((r['median_ms'] for r in rows if r['impl'] == 'floor'), None)
        for r in rows:
            r['ratio_to_clone'] = r['median_ms'] / clone if clone else None
            peers = [p['median_ms'] for p in rows
                     if p['method'] == r['method'] and p['impl'] not in ('mmmix', 'floor')]
            r['best_peer_ms'] = min(peers) if peers else None
            r['ratio_to_best_peer'] = r['median_ms'] / min(peers) if peers else None


def markdown(results: List[Dict], args) -> str:
    head = ('| device | method | impl | lam_mode | median ms | images/s | x clone | x best peer |\n'
            '|---|---|---|---|---:|---:|---:|---:|')
    lines = [head]

    def f(v, fmt):
        return '-' if v is None else format(v, fmt)
    for r in results:
        if r.get('median_ms') is None:
            lines.append(f"| {r['device']} | {r['method']} | {r['impl']} | {r['lam_mode']} | "
                         f"{r.get('note', 'skipped')} | | | |")
            continue
        lines.append(f"| {r['device']} | {r['method']} | {r['impl']} | {r['lam_mode']} | "
                     f"{r['median_ms']:.2f} | {r['images_per_s']:.0f} | "
                     f"{f(r.get('ratio_to_clone'), '.2f')} | "
                     f"{f(r.get('ratio_to_best_peer') if r['impl'] == 'mmmix' else None, '.2f')} |")
    return '\n'.join(lines)


def check_targets(results: List[Dict]) -> List[str]:
    """Human-readable target verdicts (batch-mode mmmix rows)."""
    out = []
    for r in results:
        if r['impl'] != 'mmmix' or r['lam_mode'] != 'batch' or r.get('median_ms') is None:
            continue
        if r.get('ratio_to_best_peer') is not None:
            target = 1 / 3 if r['method'] == 'PuzzleMix' else 1.0
            ok = r['ratio_to_best_peer'] <= target
            out.append(f"[{'ok' if ok else 'MISS'}] {r['device']} {r['method']}: "
                       f"{r['ratio_to_best_peer']:.2f}x the fastest peer (target <= "
                       f"{target:.2f})")
        if r['method'] == 'Mixup':
            ok = r['ratio_to_clone'] <= 2.0
            out.append(f"[{'ok' if ok else 'MISS'}] {r['device']} Mixup: "
                       f"{r['ratio_to_clone']:.2f}x clone (target <= 2)")
    return out


def main(argv=None):
    args = parse_args(argv)
    from mmmix.utils.threads import set_benchmark_threads
    set_benchmark_threads(args.threads)  # --threads, $OMP_NUM_THREADS, or the available cores
    devices = args.device or (['cpu'] + (['cuda'] if torch.cuda.is_available() else []))
    rows = build_methods(args)
    results = []
    for dev in devices:
        if dev.startswith('cuda') and not torch.cuda.is_available():
            print(f'skipping {dev}: CUDA is not available')
            continue
        g = torch.Generator().manual_seed(args.seed)
        x = torch.rand(args.batch, args.channels, args.size, args.size, generator=g).to(dev)
        labels = torch.randint(0, args.num_classes, (args.batch, ), generator=g).to(dev)
        score = F.one_hot(labels, args.num_classes).float()
        torch.manual_seed(args.seed)
        np.random.seed(args.seed)
        times = time_round_robin(rows, x, score, labels, args.repeats, args.warmup, dev)
        for i, row in enumerate(rows):
            res = {k: v for k, v in row.items() if k != 'fn'}
            res['device'] = dev
            if i in times:
                res['median_ms'] = statistics.median(times[i])
                res['min_ms'] = min(times[i])
                res['images_per_s'] = args.batch / (res['median_ms'] / 1e3)
            results.append(res)
    summarise(results)
    table = markdown(results, args)
    verdicts = check_targets(results)
    env = dict(torch=torch.__version__, python=platform.python_version(),
               cpu_threads=torch.get_num_threads(), machine=platform.machine(),
               batch=[args.batch, args.channels, args.size, args.size], dtype='float32',
               repeats=args.repeats, warmup=args.warmup, alpha=args.alpha,
               command=' '.join(['python', osp.relpath(sys.argv[0])] + sys.argv[1:]))
    print('\n' + table + '\n')
    print('\n'.join(verdicts))
    out_dir = osp.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(args.out + '.json', 'w') as fh:
        json.dump(dict(env=env, results=results, targets=verdicts), fh, indent=2)
    with open(args.out + '.md', 'w') as fh:
        fh.write(f"# mmmix mixer benchmark\n\nBatch {env['batch']} float32, median of "
                 f"{args.repeats} runs after {args.warmup} warm-up, torch {env['torch']}, "
                 f"{env['cpu_threads']} CPU threads.\n\nCommand: `{env['command']}`\n\n"
                 f'{table}\n\n' + '\n'.join(f'- {v}' for v in verdicts) + '\n')
    print(f'wrote {args.out}.json and {args.out}.md')
    return results


if __name__ == '__main__':
    main()
