"""Evidence that AutoMix learns, on the synthetic classification data (CPU).

1. Trains vanilla, Mixup, CutMix and AutoMix (the synthetic configs, width-16
   ResNet-18) for the same short budget with mmengine's Runner and prints one
   table: best val top-1, test top-1 (last checkpoint), wall time.
2. With the trained AutoMix model, builds learned masks for random test pairs
   and measures how they cover the objects, using the foreground masks the
   generator saved: ``own = |fg_a * m| / |fg_a|`` (share of ``x``'s object
   kept) and ``partner = |fg_b * (1 - m)| / |fg_b|`` (share of the partner's
   object shown), against a random box (CutMix) of the same ``lam``.

Usage::

    python tools/analysis/automix_evidence.py --epochs 10 --out work_dirs/automix_evidence
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

import numpy as np

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

CONFIGS = {
    'vanilla': 'configs/mixups/vanilla/resnet18_vanilla_synthetic.py',
    'Mixup': 'configs/mixups/mixup/resnet18_mixup_synthetic.py',
    'CutMix': 'configs/mixups/cutmix/resnet18_cutmix_synthetic.py',
    'AutoMix': 'configs/automix/resnet18-w16_automix_synthetic.py',
    # the same without the clean-image CE: separates the masks' effect from the clean pass
    'AutoMix-noclean': 'configs/automix/resnet18-w16_automix_synthetic.py',
}
#: config overrides of a method (merged into the loaded config)
OVERRIDES = {'AutoMix-noclean': dict(model=dict(clean_loss_weight=0.))}
DATA = dict(num_classes=10, img_size=32, num_train=200, num_val=50, num_test=50, seed=0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--data-root', default='data/synthetic_cls')
    p.add_argument('--object-scale', nargs=2, type=float, default=None, metavar=('LOW', 'HIGH'),
                   help='object radius range as a fraction of the image size (generator '
                        'default 0.3 0.45: objects span most of the image); use a fresh '
                        '--data-root for a non-default scale')
    p.add_argument('--methods', nargs='+', default=['AutoMix', 'vanilla', 'Mixup', 'CutMix'],
                   choices=list(CONFIGS))
    p.add_argument('--pairs', type=int, default=2000, help='test pairs for the overlap')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/automix_evidence')
    return p.parse_args(argv)


def train_one(name, path, args):
    from mmengine.config import Config
    from mmengine.runner import Runner
    cfg = Config.fromfile(path)
    cfg.merge_from_dict(OVERRIDES.get(name, {}))
    cfg.work_dir = osp.join(args.out, name)
    cfg.train_cfg.max_epochs = args.epochs
    scheds = cfg.param_scheduler
    scheds[-1].end = args.epochs
    for split in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[split].dataset.data_root = args.data_root
    cfg.default_hooks.logger.interval = 50
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=args.epochs,
                                        save_best='auto', max_keep_ckpts=1)
    cfg.env_cfg.dist_cfg = dict(backend='gloo')
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    cfg.log_level = 'WARNING'
    t0 = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_s = time.time() - t0
    best = max((json.loads(line).get('accuracy/top1', -1)
                for line in open(osp.join(runner.log_dir, 'vis_data', 'scalars.json'))),
               default=None)
    test = runner.test()['accuracy/top1']
    return dict(method=name, config=path, epochs=args.epochs, train_s=round(train_s, 1),
                best_val_top1=best, test_top1=test), runner.model


def load_split(data_root, preprocessor, split='test'):
    """The images of a split through ``preprocessor`` (as the pipeline loads
    them: BGR), their foreground masks ``[N,H,W]`` and labels ``[N]``."""
    from PIL import Image

    from mmmix.datasets.synthetic import load_foreground_masks
    fg, labels = load_foreground_masks(data_root, split)
    with open(osp.join(data_root, 'meta', f'{split}.txt')) as f:
        names = [line.rsplit(maxsplit=1)[0] for line in f if line.strip()]
    imgs = np.stack([np.asarray(Image.open(osp.join(data_root, split, n)).convert('RGB'))
                     for n in names])
    x = torch.from_numpy(imgs[..., ::-1].copy()).permute(0, 3, 1, 2)
    with torch.no_grad():
        inputs = preprocessor(dict(inputs=list(x), data_samples=None))['inputs']
    return inputs, torch.from_numpy(fg).float(), torch.from_numpy(labels)


def mask_coverage(backbone, mix_block, mix_stage, data, pairs=2000, seed=0, logits_fn=None):
    """Mean shares of the own / partner objects covered by ``mix_block``'s masks
    (features from ``backbone`` up to ``mix_stage``, eval mode) vs random boxes
    with the same lam, over random different-class test pairs ``data`` (from
    `load_split`). With ``logits_fn`` also the mixed CE of both kinds
    of mask and of a flat Mixup mask under that classifier."""
    from mmmix.mixers.base import box_mask, place_boxes
    from mmmix.mixers.mixup import Mixup
    from mmmix.models.losses.functional import mixed_cross_entropy
    from mmmix.models.mix_blocks import forward_to_stage
    inputs, fg, labels = data
    training = backbone.training, mix_block.training
    backbone.eval()
    mix_block.eval()
    with torch.no_grad():
        g = torch.Generator().manual_seed(seed)
        n = inputs.shape[0]
        a = torch.randint(0, n, (pairs, ), generator=g)
        b = torch.randint(0, n, (pairs, ), generator=g)
        keep = labels[a] != labels[b]
        a, b = a[keep], b[keep]
        # per-pair lam ~ Beta(2, 2) from the project's sampler and the seeded generator
        lam = Mixup(alpha=2., lam_mode='elem').sample_lam(a.numel(), g)
        masks = []
        for i in range(0, a.numel(), 256):
            ia, ib, lam_i = a[i:i + 256], b[i:i + 256], lam[i:i + 256]
            k = ia.numel()
            # eval-mode BN: the features of a row do not depend on the batch
            z = forward_to_stage(backbone, inputs[torch.cat([ia, ib])], mix_stage)
            index = torch.cat([torch.arange(k, 2 * k), torch.arange(k)])  # a <-> b
            masks.append(mix_block(z, torch.cat([lam_i, 1 - lam_i]), index,
                                   inputs.shape[-2:], 'nearest')[:k])
        m = torch.cat(masks)[:, 0]
        # random boxes of area (1 - lam) HW placed fully inside the image (no clipping, so the
        # box keeps the requested share, as the learned mask is asked to)
        h, w = inputs.shape[-2:]
        side = torch.sqrt(1 - lam)
        boxes = box_mask(place_boxes((side * h).round(), (side * w).round(), h, w, generator=g),
                         h, w)[:, 0]
    backbone.train(training[0])
    mix_block.train(training[1])
    fa, fb = fg[a], fg[b]

    def shares(w):
        share = w.flatten(1).mean(1)
        own = (fa * w).flatten(1).sum(1) / fa.flatten(1).sum(1).clamp_min(1)
        partner = (fb * (1 - w)).flatten(1).sum(1) / fb.flatten(1).sum(1).clamp_min(1)
        # focus: the weight a side gets on its own object minus off it (0 for a flat
        # mask, > 0 when the mask favours that side's object)
        own_off = (((1 - fa) * w).flatten(1).sum(1) / (1 - fa).flatten(1).sum(1).clamp_min(1))
        partner_off = (((1 - fb) * (1 - w)).flatten(1).sum(1)
                       / (1 - fb).flatten(1).sum(1).clamp_min(1))
        out = dict(own=float(own.mean()), partner=float(partner.mean()),
                   own_focus=float((own - own_off).mean()),
                   partner_focus=float((partner - partner_off).mean()),
                   both_visible=float(((own > 0.25) & (partner > 0.25)).float().mean()),
                   mask_mean=float(share.mean()),
                   # does the mask's mean follow the requested lam, and is it spatially varied
                   lam_corr=float(np.corrcoef(share.numpy(), lam.numpy())[0, 1])
                   if float(share.std()) > 0 else float('nan'),
                   spatial_std=float(w.flatten(1).std(1).mean()),
                   # share of pixels in the sigmoid's flat tails (beyond 0.01 / 0.99)
                   saturated=float(((w < 0.01) | (w > 0.99)).float().mean()))
        if logits_fn is not None:
            with torch.no_grad():
                mixed = w[:, None] * inputs[a] + (1 - w[:, None]) * inputs[b]
                out['mixed_ce'] = float(mixed_cross_entropy(logits_fn(mixed), labels[a],
                                                            labels[b], lam))
        return out
    result = dict(pairs=int(a.numel()), lam_mean=float(lam.mean()), automix=shares(m),
                  random_box=shares(boxes))
    if logits_fn is not None:
        result['flat'] = shares(lam.view(-1, 1, 1).expand_as(m))
    return result


def overlap(model, args):
    """:func:`mask_coverage` of a trained AutoMix model (its teacher's features
    and its Mix Block)."""
    data = load_split(args.data_root, model.data_preprocessor)
    return mask_coverage(model.teacher.module['backbone'], model.mix_block, model.mix_stage,
                         data, pairs=args.pairs, seed=args.seed)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401
    from mmmix.datasets import ensure_classification
    init_default_scope('mmmix')
    data = dict(DATA)
    if args.object_scale:
        data['object_scale'] = tuple(args.object_scale)
    ensure_classification(args.data_root, **data)
    rows, overlaps = [], {}
    for name in args.methods:
        row, model = train_one(name, CONFIGS[name], args)
        rows.append(row)
        print(json.dumps(row), flush=True)
        if name.startswith('AutoMix'):
            overlaps[name] = overlap(model, args)
            print(json.dumps(overlaps[name]), flush=True)
    result = dict(command='python ' + ' '.join([osp.relpath(__file__)] + (argv or sys.argv[1:])),
                  rows=rows)
    if overlaps:  # 'overlap': the first AutoMix method's (the table's AutoMix row)
        result['overlap'] = next(iter(overlaps.values()))
        result['overlaps'] = overlaps
    lines = ['| method | epochs | best val top-1 | test top-1 | train time (s) |',
             '|---|---:|---:|---:|---:|']
    for r in rows:
        lines.append(f"| {r['method']} | {r['epochs']} | {r['best_val_top1']:.2f} | "
                     f"{r['test_top1']:.2f} | {r['train_s']:.0f} |")
    for name, o in overlaps.items():
        lines += ['', f"{name}: mask coverage over {o['pairs']} different-class test pairs "
                  f"(lam ~ Beta(2,2), mean {o['lam_mean']:.3f}):", '',
                  '| mask | mean weight of x | corr(mean, lam) | spatial std | own object kept | '
                  'partner object shown | own focus | partner focus | '
                  'both objects >25% visible |',
                  '|---|---:|---:|---:|---:|---:|---:|---:|---:|']
        for key, label in (('automix', f'{name} (learned)'), ('random_box', 'random box')):
            s = o[key]
            lines.append(f"| {label} | {s['mask_mean']:.3f} | {s['lam_corr']:.3f} | "
                         f"{s['spatial_std']:.3f} | {s['own']:.3f} | "
                         f"{s['partner']:.3f} | {s['own_focus']:+.3f} | "
                         f"{s['partner_focus']:+.3f} | {s['both_visible']:.3f} |")
    md = '\n'.join(lines)
    print(md)
    with open(osp.join(args.out, 'evidence.json'), 'w') as f:
        json.dump(result, f, indent=2)
    with open(osp.join(args.out, 'evidence.md'), 'w') as f:
        f.write(md + '\n')
    return result


if __name__ == '__main__':
    main()
