"""The main job (``make demo``): synthetic data -> mixup training on CPU ->
evaluation -> mixed-sample grid, training curves, checkpoint -> summary.

    python tools/demo.py [--config CFG] [--work-dir DIR] [--data-root DIR]
                         [--epochs N] [--cfg-options k=v ...]
"""
import argparse
import json
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

DEFAULT_CONFIG = osp.join(ROOT, 'configs', 'demo', 'resnet18-w16_mixup-cutmix_synthetic.py')


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=DEFAULT_CONFIG)
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'demo'))
    p.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_cls'))
    p.add_argument('--epochs', type=int,
                   help="train N epochs: the config's schedule (warm-up, cosine) is rescaled "
                        'to N epochs')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    from mmmix.utils.threads import add_thread_args
    add_thread_args(p)
    args = p.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        p.error(f'--epochs must be >= 1, got {args.epochs}')
    return args


def log(msg):
    print(f'[demo {time.strftime("%H:%M:%S")}] {msg}', flush=True)


def make_data(data_root):
    from mmmix.datasets import ensure_classification
    params = dict(num_classes=10, img_size=32, num_train=200, num_val=50, num_test=50, seed=0)
    log(f'step 1/4: synthetic classification data in {data_root}')
    state = ensure_classification(
        data_root, progress=lambda s, d, t: log(f'  {s}: {d}/{t} images'), **params)
    log(f'  {state}')
    return params


def plot_curves(scalars_json, out_png):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = [json.loads(line) for line in open(scalars_json)]
    train = [r for r in rows if 'loss' in r]
    val = [r for r in rows if 'accuracy/top1' in r]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    axes[0].plot([r['iter'] for r in train], [r['loss'] for r in train], lw=1)
    axes[0].set(title='training loss (mixed batches)', xlabel='iteration')
    axes[1].plot([r['iter'] for r in train], [r['lr'] for r in train], lw=1)
    axes[1].set(title='learning rate', xlabel='iteration')
    axes[2].plot([r['step'] for r in val], [r['accuracy/top1'] for r in val], 'o-')
    axes[2].set(title='val top-1 (%)', xlabel='epoch', ylim=(0, 100))
    for ax in axes:
        ax.grid(alpha=.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)
    return val


def build_config(args):
    """The demo's config: ``args.config`` on ``args.data_root``, with ``--epochs`` (the
    schedule rescaled to it) and ``--cfg-options`` applied."""
    from mmengine.config import Config

    from mmmix.engine.schedule import rescale_schedule
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(part):
            cfg[part].dataset.data_root = args.data_root
    if args.epochs:
        rescale_schedule(cfg, args.epochs)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    return cfg


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    t0 = time.time()
    import mmmix  # noqa: F401
    from mmengine.runner import Runner

    make_data(args.data_root)
    cfg = build_config(args)
    from mmmix.utils.threads import configure_threads
    plan = configure_threads(cfg, args, log=log)

    log(f'step 2/4: training {osp.basename(args.config)} on CPU '
        f'({cfg.train_cfg.max_epochs} epochs), logs in {args.work_dir}')
    runner = Runner.from_cfg(cfg)
    t_train = time.time()
    runner.train()
    t_train = time.time() - t_train

    log('step 3/4: evaluating the final checkpoint on the test split')
    test_metrics = runner.test()

    log('step 4/4: mixed-sample grid and training curves')
    sys.path.insert(0, osp.join(ROOT, 'tools', 'visualizations'))
    from vis_mixup import dataset_samples, make_grid_figure
    images, names = dataset_samples(
        args.data_root, ann_file='meta/val.txt', data_prefix='val', num=4, size=128,
        classes=cfg.val_dataloader.dataset.get('metainfo', {}).get('classes'))
    grids = []
    for mixer in runner.model.mixers:
        if mixer is None:
            continue
        out = osp.join(args.work_dir, f'mixed_samples_{type(mixer).__name__.lower()}.png')
        make_grid_figure(mixer, images, out, class_names=names)
        grids.append(out)
    scalars = osp.join(runner.log_dir, 'vis_data', 'scalars.json')
    curves = osp.join(args.work_dir, 'training_curves.png')
    val = plot_curves(scalars, curves)
    ckpt = osp.join(args.work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')

    mixers = ', '.join('vanilla' if m is None else type(m).__name__ for m in runner.model.mixers)
    rows = [
        ('config', osp.relpath(args.config, ROOT)),
        ('model', f'{type(runner.model).__name__} + {type(runner.model.backbone).__name__}'),
        ('mixers (mix_prob)', f'{mixers} ({[round(float(p), 2) for p in runner.model.mix_prob]})'),
        ('epochs / train time', f'{cfg.train_cfg.max_epochs} / {t_train:.0f} s'),
        ('torch threads / workers', f'{plan.threads} / {plan.workers} ({plan.cores} cores)'),
        ('best val top-1', f'{max(r["accuracy/top1"] for r in val):.2f} %' if val else 'n/a'),
        ('test top-1', f'{test_metrics.get("accuracy/top1", float("nan")):.2f} %'),
        ('test ECE', f'{test_metrics.get("calibration/ece", float("nan")):.2f} %'),
        ('checkpoint', osp.relpath(ckpt, ROOT)),
        ('training curves', osp.relpath(curves, ROOT)),
        ('mixed samples', ', '.join(osp.relpath(g, ROOT) for g in grids)),
        ('total time', f'{time.time() - t0:.0f} s'),
    ]
    width = max(len(k) for k, _ in rows)
    print('\n' + '=' * 72 + '\nmmmix demo summary\n' + '-' * 72)
    for k, v in rows:
        print(f'{k:<{width}}  {v}')
    print('=' * 72)
    with open(osp.join(args.work_dir, 'summary.json'), 'w') as f:
        json.dump(dict(rows), f, indent=2)
    return dict(rows)


if __name__ == '__main__':
    main()
