"""Where an AutoMix training step spends its time, next to a plain Mixup step.

``bench_train_step.py`` gives the AutoMix step as one ratio to Mixup; this
script splits the step into the parts of ``AutoMix.loss`` and times each one
(same model, batch and data as ``bench_train_step.py``'s AutoMix case):

* ``teacher EMA update`` (``AutoMixEMA.update_parameters``);
* ``teacher to mix stage`` (clean batch, ``no_grad``, stages up to ``mix_stage``);
* ``Mix Block + teacher forward (x_mb)`` and ``teacher backward (to the
  pixels)``: the Mix Block loss (``AutoMix.mix_block_loss``);
* ``Mix Block no_grad + mix (x_bb)``: the detached mask (``AutoMix.backbone_input``);
* ``student forward/backward (x_bb)``: the backbone's mixed loss;
* ``student forward/backward (clean)``: the clean CE (``clean_loss_weight``).

Every part is timed on its own in each round (rounds interleaved with a full
Mixup+MCE ``train_step``); the table gives the medians and each part in units
of the Mixup step. The parts add up to the forward/backward work of an AutoMix
step (without the optimizer step), so the table shows how far from a 1.5x
target a compute-bound device can be: the student's mixed and clean passes
alone are two Mixup steps of work.

Usage::

    python tools/benchmarks/bench_automix_breakdown.py --batch 100 --size 32 --threads 2 \\
        --repeats 5 --out work_dirs/bench_automix_breakdown
"""
import argparse
import json
import os
import os.path as osp
import platform
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

import bench_train_step as bts  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--batch', type=int, default=100)
    p.add_argument('--size', type=int, default=32)
    p.add_argument('--depth', type=int, default=18)
    p.add_argument('--num-classes', type=int, default=100)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--device', default='cpu')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/bench_automix_breakdown')
    return p.parse_args(argv)


def automix_parts(model, data, device):
    """One AutoMix iteration split into timed parts (seconds, in order), through
    the model's own steps (``AutoMix.teacher_features``, ``mix_block_loss``,
    ``backbone_input``, as ``AutoMix.loss`` runs them)."""
    inputs, samples = data['inputs'], data['data_samples']
    labels = torch.cat([ds.gt_label for ds in samples]).to(device)
    n, mode = inputs.shape[0], 'nearest'
    out = {}

    def timed(name, fn):
        bts.sync(device)
        t0 = time.perf_counter()
        result = fn()
        bts.sync(device)
        out[name] = time.perf_counter() - t0
        return result

    timed('teacher EMA update', lambda: model.teacher.update_parameters(model._student()))
    lam, index = model._draw(n, device)
    z = timed('teacher to mix stage', lambda: model.teacher_features(inputs))
    losses, _, _ = timed('Mix Block + teacher forward (x_mb)', lambda: model.mix_block_loss(
        inputs, labels, z, lam, index, mode))
    timed('teacher backward (to the pixels)',
          (losses['loss_mix_block'] + losses['loss_mask']).backward)
    x_bb, _, info = timed('Mix Block no_grad + mix (x_bb)', lambda: model.backbone_input(
        inputs, labels, z, lam.clamp(0.25, 0.75), index, mode))  # the learned-mask branch
    loss = timed('student forward (x_bb)', lambda: model.head.loss(
        model.extract_feat(x_bb), samples, mix_info=info)['loss'])
    timed('student backward (x_bb)', loss.backward)
    loss = timed('student forward (clean)',
                 lambda: model.head.loss(model.extract_feat(inputs), samples)['loss'])
    timed('student backward (clean)', loss.backward)
    model.zero_grad(set_to_none=True)
    return out


def main(argv=None):
    args = parse_args(argv)
    from mmmix.utils.threads import set_benchmark_threads
    set_benchmark_threads(args.threads)  # --threads, $OMP_NUM_THREADS, or the available cores
    args.alpha = 1.0
    automix, _ = bts.build_model(args, bts.AUTOMIX, {}, args.device)
    mixup, mixup_optim = bts.build_model(args, ('Mixup', ), {}, args.device)
    raw = bts.make_data(args)
    data = automix.data_preprocessor(raw, training=True)
    parts, mixup_steps = {}, []
    for r in range(args.warmup + args.repeats):
        got = automix_parts(automix, data, args.device)
        bts.sync(args.device)
        t0 = time.perf_counter()
        bts.step(mixup, mixup_optim, raw)
        bts.sync(args.device)
        if r >= args.warmup:
            mixup_steps.append(time.perf_counter() - t0)
            for k, v in got.items():
                parts.setdefault(k, []).append(v)
    unit = statistics.median(mixup_steps)
    rows = {k: statistics.median(v) for k, v in parts.items()}
    total = sum(rows.values())
    result = dict(
        command='python ' + ' '.join([osp.relpath(__file__)] + (argv or sys.argv[1:])),
        env=dict(torch=torch.__version__, platform=platform.platform(), device=args.device,
                 threads=torch.get_num_threads(), batch=args.batch, size=args.size,
                 depth=args.depth, repeats=args.repeats),
        mixup_step_ms=1000 * unit, parts_ms={k: 1000 * v for k, v in rows.items()},
        parts_total_ms=1000 * total, parts_total_in_mixup_steps=total / unit)
    lines = [f"# AutoMix step breakdown (ResNet_CIFAR-{args.depth}, batch {args.batch}, "
             f"{args.size}x{args.size}, {args.device}, {torch.get_num_threads()} threads)", '',
             f"torch {torch.__version__}; medians of {args.repeats} rounds after {args.warmup} "
             f"warm-up. Command: `{result['command']}`", '',
             f"Plain Mixup+MCE train step (same run): {1000 * unit:.1f} ms", '',
             '| part | median (ms) | share of the parts | in Mixup steps |',
             '|---|---:|---:|---:|']
    for k, v in rows.items():
        lines.append(f'| {k} | {1000 * v:.1f} | {100 * v / total:.1f}% | {v / unit:.2f} |')
    lines.append(f'| **all parts** | {1000 * total:.1f} | 100% | {total / unit:.2f} |')
    md = '\n'.join(lines)
    print(md)
    os.makedirs(osp.dirname(args.out) or '.', exist_ok=True)
    with open(args.out + '.json', 'w') as f:
        json.dump(result, f, indent=2)
    with open(args.out + '.md', 'w') as f:
        f.write(md + '\n')
    return result


if __name__ == '__main__':
    main()
