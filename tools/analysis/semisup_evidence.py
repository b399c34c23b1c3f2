"""Does the semi-supervised pipeline learn from unlabeled data? A CPU-sized check.

    python tools/analysis/semisup_evidence.py [--num-classes 5] [--labels-per-class 25]
        [--num-train 200] [--iters 800] [--labeled-batch 8] [--mu 3] [--warmup-iters 25]
        [--tau 0.95] [--jobs 3] [--work-dir work_dirs/semisup_evidence] [--seed 0]

Generates the synthetic set (``--num-classes`` classes, 32 px, ``--num-train``
train and 40 test images per class) under ``<work-dir>/data``, splits off
``--labels-per-class`` labeled images per class (the rest are unlabeled), and
trains three runs of the same length, batch (``--labeled-batch`` labeled +
``--mu`` times as many unlabeled) and schedule (the configs' SGD with a linear
lr warm-up over ``--warmup-iters``, then cosine decay) from
``configs/semisup/resnet18-w16_fixmatch*-40l_synthetic.py``, ``--jobs`` at a
time, each in its own one-thread process:

* labeled-only: FixMatch with ``lambda_u = 0`` (the unlabeled images still pass
  through the network, so only their BN statistics are seen, no loss);
* FixMatch;
* FixMatch+DM.

Prints a Markdown table of test top-1 accuracy and the final pseudo-label mask
ratio.

Why these defaults: the synthetic shapes lie on textured backgrounds with
distractor blobs, random colours and rotations, so a few labels teach little.
With 10 classes and 4 labels per class the width-16 ResNet-18 memorises its 40
images and stays at chance on the test set (8-12 % measured at 250
iterations). With 5 classes, 10 labels per class and 800 iterations all three
runs are still at chance (19-23 %); 25 labels per class (125 labels, 175
unlabeled images per class) is where labeled-only training first gets above
chance (27 % at 20 % chance).
``mu = 3`` instead of FixMatch's 7 halves the cost of an iteration so that the
three runs fit about 10-15 CPU minutes on a 2-core machine.
"""
import argparse
import json
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config  # noqa: E402

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RUNS = [
    ('labeled-only (lambda_u=0)', 'resnet18-w16_fixmatch-40l_synthetic.py', dict(lambda_u=0.)),
    ('FixMatch', 'resnet18-w16_fixmatch-40l_synthetic.py', {}),
    ('FixMatch+DM', 'resnet18-w16_fixmatch-dm-40l_synthetic.py', {}),
]


def make_data(root, num_classes, num_train, labels_per_class, seed):
    from mmmix.datasets import ensure_classification, make_semisup_split
    ensure_classification(root, num_classes=num_classes, img_size=32, num_train=num_train,
                          num_val=20, num_test=40, seed=seed)
    return make_semisup_split(osp.join(root, 'meta', 'train.txt'),
                              num_per_class=labels_per_class, seed=seed)


def run_one(config, overrides, data_root, split, work_dir, args):
    from mmengine.runner import Runner

    from mmmix.datasets.synthetic import classification_classes
    iters = args.iters
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'semisup', config))
    metainfo = dict(classes=classification_classes(args.num_classes))
    ds = cfg.train_dataloader.dataset
    for part, path in zip(('labeled', 'unlabeled'), split):
        ds[part].data_root = data_root
        ds[part].ann_file = osp.relpath(path, data_root)
        ds[part].metainfo = metainfo
    for name in ('val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = data_root
        cfg[name].dataset.metainfo = metainfo
    cfg.data_preprocessor.num_classes = args.num_classes
    cfg.model.head.num_classes = args.num_classes
    cfg.model.tau = args.tau
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].num_workers = 1
        cfg[name].persistent_workers = name == 'train_dataloader'
    mu = cfg.train_dataloader.sampler.mu = args.mu
    cfg.train_dataloader.batch_size = args.labeled_batch * (1 + mu)
    cfg.train_dataloader.sampler.batch_size = args.labeled_batch * (1 + mu)
    cfg.model.update(overrides)
    if 'mix_ramp_iters' in cfg.model:
        cfg.model.mix_ramp_iters = iters // 4
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    cosine = cfg.param_scheduler[-1]
    cosine.begin, cosine.end = args.warmup_iters, iters
    cfg.param_scheduler = [dict(type='LinearLR', by_epoch=False, start_factor=0.1, begin=0,
                                end=args.warmup_iters), cosine] if args.warmup_iters else [cosine]
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = 50
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    start = time.time()
    runner.train()
    minutes = (time.time() - start) / 60
    metrics = runner.test()
    mask = runner.message_hub.get_scalar('train/mask_ratio').current()
    return metrics['accuracy/top1'], float(mask), minutes


def run_all(argv, jobs):
    """Train every run of RUNS in a child process (``--only i``), ``jobs`` at
    a time; their rows in RUNS order."""
    import subprocess
    pending, running, rows = list(range(len(RUNS))), [], {}
    while pending or running:
        while pending and len(running) < max(1, jobs):
            i = pending.pop(0)
            cmd = [sys.executable, osp.abspath(__file__), *argv, '--only', str(i)]
            running.append((i, subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)))
        i, proc = running.pop(0)
        out, _ = proc.communicate()
        lines = [ln for ln in out.splitlines() if ln.startswith('RESULT ')]
        if proc.returncode or not lines:
            raise RuntimeError(f'run {i} ({RUNS[i][0]}) failed with exit code {proc.returncode}')
        rows[i] = json.loads(lines[-1][len('RESULT '):])
        print(json.dumps(rows[i]), flush=True)
    return [rows[i] for i in range(len(RUNS))]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--num-classes', type=int, default=5)
    p.add_argument('--iters', type=int, default=800)
    p.add_argument('--labels-per-class', type=int, default=25)
    p.add_argument('--num-train', type=int, default=200, help='train images per class')
    p.add_argument('--work-dir', default=osp.join('work_dirs', 'semisup_evidence'))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--labeled-batch', type=int, default=8,
                   help='labeled images per batch (x (1 + mu) in all; the configs use 8)')
    p.add_argument('--warmup-iters', type=int, default=25,
                   help='linear lr warm-up from 0.1 * lr (0: none)')
    p.add_argument('--tau', type=float, default=0.95, help='pseudo-label threshold')
    p.add_argument('--mu', type=int, default=3,
                   help='unlabeled images per labeled image (FixMatch and the configs: 7)')
    p.add_argument('--jobs', type=int, default=3,
                   help='runs trained at once, each in its own process with one thread')
    p.add_argument('--only', type=int, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    import mmmix  # noqa: F401
    data_root = osp.abspath(osp.join(args.work_dir, 'data'))
    split = make_data(data_root, args.num_classes, args.num_train, args.labels_per_class,
                      args.seed)
    if args.only is not None:  # one run, in a child process of the command below
        import torch
        torch.set_num_threads(1)
        name, config, overrides = RUNS[args.only]
        acc, mask, minutes = run_one(config, overrides, data_root, split,
                                     osp.join(args.work_dir, f'run{args.only}'), args)
        print('RESULT ' + json.dumps(dict(method=name, config=config, top1=acc,
                                          mask_ratio=mask, minutes=minutes)), flush=True)
        return
    rows = run_all(argv if argv is not None else sys.argv[1:], args.jobs)
    print(f'\n{args.num_classes} classes, {args.labels_per_class} labels per class, '
          f'{args.num_train - args.labels_per_class} unlabeled per class, {args.iters} '
          f'iterations of {args.labeled_batch} labeled + {args.mu * args.labeled_batch} '
          f'unlabeled images, tau {args.tau}, warm-up {args.warmup_iters}\n')
    print('| method | config | test top-1 (%) | final mask ratio | train minutes |')
    print('|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['method']} | `{r['config']}` | {r['top1']:.2f} | {r['mask_ratio']:.2f} | "
              f"{r['minutes']:.1f} |")


if __name__ == '__main__':
    main()
