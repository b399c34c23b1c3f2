"""Does the semi-supervised pipeline learn from unlabeled data? A CPU-sized check.

    python tools/analysis/semisup_evidence.py [--iters 600] [--labels-per-class 4]
        [--num-train 100] [--labeled-batch 8] [--work-dir work_dirs/semisup_evidence]
        [--seed 0]

Generates the synthetic set (10 classes, 32 px, ``--num-train`` train images per
class) under ``<work-dir>/data``, splits off ``--labels-per-class`` labeled images
per class (the rest are unlabeled), and trains three runs of the same length,
batch (``--labeled-batch`` labeled + 7 times as many unlabeled) and schedule from
``configs/semisup/resnet18-w16_fixmatch*-40l_synthetic.py``:

* labeled-only: FixMatch with ``lambda_u = 0`` (the unlabeled images still pass
  through the network, so only their BN statistics are seen, no loss);
* FixMatch;
* FixMatch+DM.

Prints a Markdown table of test top-1 accuracy (20 test images per class) and
the final pseudo-label mask ratio. Runs in one process, one after the other.
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


def make_data(root, num_train, labels_per_class, seed):
    from mmmix.datasets import ensure_classification, make_semisup_split
    ensure_classification(root, num_classes=10, img_size=32, num_train=num_train, num_val=20,
                          num_test=20, seed=seed)
    return make_semisup_split(osp.join(root, 'meta', 'train.txt'),
                              num_per_class=labels_per_class, seed=seed)


def run_one(config, overrides, data_root, split, work_dir, iters, seed, labeled_batch):
    from mmengine.runner import Runner
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'semisup', config))
    ds = cfg.train_dataloader.dataset
    for part, path in zip(('labeled', 'unlabeled'), split):
        ds[part].data_root = data_root
        ds[part].ann_file = osp.relpath(path, data_root)
    for name in ('val_dataloader', 'test_dataloader'):
        cfg[name].dataset.data_root = data_root
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].num_workers = 1
        cfg[name].persistent_workers = name == 'train_dataloader'
    mu = cfg.train_dataloader.sampler.mu
    cfg.train_dataloader.batch_size = labeled_batch * (1 + mu)
    cfg.train_dataloader.sampler.batch_size = labeled_batch * (1 + mu)
    cfg.model.update(overrides)
    if 'mix_ramp_iters' in cfg.model:
        cfg.model.mix_ramp_iters = iters // 4
    cfg.train_cfg.max_iters = iters
    cfg.train_cfg.val_interval = iters
    cfg.param_scheduler[-1].end = iters
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = 50
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.randomness = dict(seed=seed, deterministic=False)
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    start = time.time()
    runner.train()
    minutes = (time.time() - start) / 60
    metrics = runner.test()
    mask = runner.message_hub.get_scalar('train/mask_ratio').current()
    return metrics['accuracy/top1'], float(mask), minutes


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iters', type=int, default=600)
    p.add_argument('--labels-per-class', type=int, default=4)
    p.add_argument('--num-train', type=int, default=100, help='train images per class')
    p.add_argument('--work-dir', default=osp.join('work_dirs', 'semisup_evidence'))
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--labeled-batch', type=int, default=8,
                   help='labeled images per batch (x (1 + mu) in all; the configs use 8)')
    args = p.parse_args(argv)
    import mmmix  # noqa: F401
    data_root = osp.abspath(osp.join(args.work_dir, 'data'))
    split = make_data(data_root, args.num_train, args.labels_per_class, args.seed)
    rows = []
    for i, (name, config, overrides) in enumerate(RUNS):
        acc, mask, minutes = run_one(config, overrides, data_root, split,
                                     osp.join(args.work_dir, f'run{i}'), args.iters, args.seed,
                                     args.labeled_batch)
        rows.append(dict(method=name, config=config, top1=acc, mask_ratio=mask, minutes=minutes))
        print(json.dumps(rows[-1]), flush=True)
    print(f'\n{args.labels_per_class} labels per class, {args.num_train - args.labels_per_class} '
          f'unlabeled per class, {args.iters} iterations of {args.labeled_batch} labeled + '
          f'{7 * args.labeled_batch} unlabeled images\n')
    print('| method | config | test top-1 (%) | final mask ratio | train minutes |')
    print('|---|---|---|---|---|')
    for r in rows:
        print(f"| {r['method']} | `{r['config']}` | {r['top1']:.2f} | {r['mask_ratio']:.2f} | "
              f"{r['minutes']:.1f} |")


if __name__ == '__main__':
    main()
