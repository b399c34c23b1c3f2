"""Evidence that AutoMix learns: on the synthetic classification data (CPU),
or from a trained AutoMix checkpoint on data without object masks (CIFAR-10).

Synthetic mode (default):

1. Trains vanilla, Mixup, CutMix and AutoMix (the synthetic configs, width-16
   ResNet-18) for the same short budget with mmengine's Runner and prints one
   table: best val top-1, test top-1 (last checkpoint), wall time.
2. With the trained AutoMix model, builds learned masks for random test pairs
   and measures how they cover the objects, using the foreground masks the
   generator saved: ``own = |fg_a * m| / |fg_a|`` (share of ``x``'s object
   kept) and ``partner = |fg_b * (1 - m)| / |fg_b|`` (share of the partner's
   object shown), against a random box (CutMix) of the same ``lam``.

Checkpoint mode (``--checkpoint`` and ``--config``; no training): loads a
trained AutoMix model (weights-only), builds its learned masks (the teacher's
features at ``mix_stage`` and the Mix Block, as in training) for ``--pairs``
random different-class pairs of the ``--ann-file`` list (``lam ~ Beta(alpha,
alpha)`` per pair, ``alpha`` of the config) and reports the statistics that
need no object masks, next to a random CutMix box of the same ``lam`` and a
flat Mixup mask: mask mean vs the requested ``lam`` (mean, mean absolute gap,
correlation), spatial std (0 = a flat blend like Mixup), saturated share
(pixels beyond 0.01 / 0.99), and the mixed CE of each kind of mask under the
AutoMix student; also the student's clean top-1 on the list. Writes
``mask_stats.json`` and ``mask_stats.md`` to ``--out``.

Usage::

    python tools/analysis/automix_evidence.py --epochs 10 --out work_dirs/automix_evidence
    python tools/analysis/automix_evidence.py \
        --config configs/cifar10_jpeg/resnet18-w16_automix_cifar10-jpeg-2k.py \
        --checkpoint work_dirs/cifar10_bench/automix_s0/epoch_100.pth \
        --data-root data/cifar10-jpeg --ann-file meta/test.txt --pairs 2000 \
        --out work_dirs/automix_mask_stats
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
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--data-root', default=None,
                   help='synthetic mode: the generated data (default data/synthetic_cls); '
                        "checkpoint mode: the image root (default: the config's test data root)")
    p.add_argument('--object-scale', nargs=2, type=float, default=None, metavar=('LOW', 'HIGH'),
                   help='object radius range as a fraction of the image size (generator '
                        'default 0.3 0.45: objects span most of the image); use a fresh '
                        '--data-root for a non-default scale')
    p.add_argument('--methods', nargs='+', default=['AutoMix', 'vanilla', 'Mixup', 'CutMix'],
                   choices=list(CONFIGS))
    p.add_argument('--pairs', type=int, default=2000, help='test pairs for the overlap')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default='work_dirs/automix_evidence')
    c = p.add_argument_group('checkpoint mode (data without object masks, no training)')
    c.add_argument('--checkpoint', help='a trained AutoMix checkpoint (loaded weights-only)')
    c.add_argument('--config', help='the config the checkpoint was trained with')
    c.add_argument('--ann-file', default='meta/test.txt',
                   help='image list under --data-root ("<path> <label>" lines)')
    c.add_argument('--data-prefix', default=None,
                   help="image folder under --data-root (default: the config's test one)")
    c.add_argument('--cfg-options', nargs='+', action=DictAction)
    c.add_argument('--threads', type=int, default=0,
                   help='torch intra-op threads (0: torch default)')
    args = p.parse_args(argv)
    if bool(args.checkpoint) != bool(args.config):
        p.error('--checkpoint and --config go together (checkpoint mode); give both or neither')
    if args.pairs < 1:
        p.error(f'--pairs must be positive, got {args.pairs}')
    if not args.checkpoint and args.data_root is None:
        args.data_root = 'data/synthetic_cls'
    return args


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
    cfg.default_hooks.checkpoint = dict(type='mmmix.AtomicCheckpointHook', interval=args.epochs,
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


def mask_coverage(backbone, mix_block, mix_stage, data, pairs=2000, seed=0, logits_fn=None,
                  alpha=2., return_pairs=False):
    """Mask statistics of ``mix_block``'s masks (features from ``backbone`` up
    to ``mix_stage``, eval mode) vs random boxes with the same lam, over random
    different-class test pairs ``data = (inputs, fg, labels)`` (from
    `load_split`; ``lam ~ Beta(alpha, alpha)`` per pair).

    Per kind of mask: ``mask_mean`` (mean weight of ``x``), ``lam_corr`` (its
    correlation with the requested lam), ``spatial_std`` (mean per-image std,
    0 for a flat blend), ``saturated`` (share of pixels beyond 0.01 / 0.99).
    The object shares (``own``, ``partner``, the focus values and
    ``both_visible``) are computed only when the foreground masks ``fg``
    ``[N,H,W]`` are given (None: data without object masks). With
    ``logits_fn`` also the mixed CE of both kinds of mask and of a flat Mixup
    mask under that classifier. With ``return_pairs`` the result also holds
    ``'per_pair'``: the tensors ``a``, ``b``, ``lam`` and the masks ``[P,H,W]``
    of each kind (not JSON-serialisable)."""
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
        if a.numel() == 0:
            raise ValueError(f'no different-class pair among {pairs} random pairs of {n} '
                             'images; the split needs at least two classes')
        # per-pair lam ~ Beta(alpha, alpha) from the project's sampler and the seeded generator
        lam = Mixup(alpha=alpha, lam_mode='elem').sample_lam(a.numel(), g)
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
    if fg is not None:
        fa, fb = fg[a], fg[b]

    def object_shares(w):
        own = (fa * w).flatten(1).sum(1) / fa.flatten(1).sum(1).clamp_min(1)
        partner = (fb * (1 - w)).flatten(1).sum(1) / fb.flatten(1).sum(1).clamp_min(1)
        # focus: the weight a side gets on its own object minus off it (0 for a flat
        # mask, > 0 when the mask favours that side's object)
        own_off = (((1 - fa) * w).flatten(1).sum(1) / (1 - fa).flatten(1).sum(1).clamp_min(1))
        partner_off = (((1 - fb) * (1 - w)).flatten(1).sum(1)
                       / (1 - fb).flatten(1).sum(1).clamp_min(1))
        return dict(own=float(own.mean()), partner=float(partner.mean()),
                    own_focus=float((own - own_off).mean()),
                    partner_focus=float((partner - partner_off).mean()),
                    both_visible=float(((own > 0.25) & (partner > 0.25)).float().mean()))

    def shares(w):
        share = w.flatten(1).mean(1)
        out = object_shares(w) if fg is not None else {}
        out.update(mask_mean=float(share.mean()),
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
    flat = lam.view(-1, 1, 1).expand_as(m)
    if logits_fn is not None:
        result['flat'] = shares(flat)
    if return_pairs:
        result['per_pair'] = dict(a=a, b=b, lam=lam, automix=m, random_box=boxes, flat=flat)
    return result


def overlap(model, args):
    """:func:`mask_coverage` of a trained AutoMix model (its teacher's features
    and its Mix Block)."""
    data = load_split(args.data_root, model.data_preprocessor)
    return mask_coverage(model.teacher.module['backbone'], model.mix_block, model.mix_stage,
                         data, pairs=args.pairs, seed=args.seed)


# ---------------------------------------------------------------------------
# checkpoint mode: a trained AutoMix model on data without object masks
# ---------------------------------------------------------------------------
def load_automix(config, checkpoint, cfg_options=None):
    """The config and its AutoMix model with ``checkpoint``'s weights (read
    weights-only with the mmmix allowlist, loaded strictly), in eval mode.

    Raises ``ValueError`` naming ``--config`` when the config's model is not
    AutoMix, and naming ``--checkpoint`` when the file holds no AutoMix model
    (no Mix Block weights) or does not match the config."""
    import copy

    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401  registers the mmmix types and the checkpoint allowlist
    from mmmix.models.classifiers import AutoMix
    from mmmix.registry import MODELS
    from mmmix.utils import safe_load
    cfg = Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmmix'))
    model_type = cfg.model.get('type')
    cls = MODELS.get(model_type) if isinstance(model_type, str) else model_type
    if not (isinstance(cls, type) and issubclass(cls, AutoMix)):
        raise ValueError(f'--config {config}: its model is {model_type!r}, not AutoMix; this '
                         'mode measures the masks of a trained AutoMix model')
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    model = MODELS.build(model_cfg)
    state = safe_load(checkpoint)
    state = state.get('state_dict', state) if isinstance(state, dict) else state
    if not isinstance(state, dict) or not any(str(k).startswith('mix_block.') for k in state):
        raise ValueError(f'--checkpoint {checkpoint}: not an AutoMix model (no mix_block.* '
                         'weights in its state_dict)')
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as e:  # shape mismatches
        raise ValueError(f'--checkpoint {checkpoint} does not fit the model of --config '
                         f'{config}: {e}') from None
    if missing or unexpected:
        raise ValueError(f'--checkpoint {checkpoint} does not fit the model of --config '
                         f'{config}: missing keys {missing[:5]}, unexpected keys '
                         f'{unexpected[:5]}')
    model.eval()
    return cfg, model


@torch.no_grad()
def load_list(model, cfg, data_root, ann_file, data_prefix=None, chunk=500):
    """Normalised inputs ``[N,C,H,W]`` and labels ``[N]`` of the image list
    ``ann_file`` under ``data_root``, through the config's test dataset
    (its test pipeline) and the model's data preprocessor."""
    import copy

    from mmmix.registry import DATASETS
    ds_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    ds_cfg.update(data_root=data_root, ann_file=ann_file)
    if data_prefix is not None:
        ds_cfg.data_prefix = data_prefix
    dataset = DATASETS.build(ds_cfg)
    if len(dataset) < 2:
        raise ValueError(f'--ann-file {ann_file}: {len(dataset)} image(s) under {data_root}, '
                         'need at least 2')
    inputs, labels = [], []
    for start in range(0, len(dataset), chunk):
        items = [dataset[i] for i in range(start, min(start + chunk, len(dataset)))]
        data = model.data_preprocessor(dict(inputs=[it['inputs'] for it in items],
                                            data_samples=[it['data_samples'] for it in items]),
                                       training=False)
        inputs.append(data['inputs'].float())
        labels += [int(ds.gt_label.reshape(-1)[0]) for ds in data['data_samples']]
    return torch.cat(inputs), torch.tensor(labels, dtype=torch.long)


def student_logits_fn(model, chunk=500):
    """Logits of the AutoMix student (backbone, neck, head) on normalised
    inputs, in chunks (eval mode, no gradient)."""
    @torch.no_grad()
    def logits(x):
        return torch.cat([model.head(model.extract_feat(part)) for part in x.split(chunk)])
    return logits


def _nan_to_none(d):
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in d.items()}


def mask_stats(model, cfg, args):
    """The checkpoint mode's numbers: :func:`mask_coverage` without
    foreground masks, with the student's mixed CE, plus ``lam_gap`` (mean
    ``|mask mean - lam|``) per kind of mask and the student's clean top-1."""
    data_root = args.data_root or cfg.test_dataloader.dataset.get('data_root')
    inputs, labels = load_list(model, cfg, data_root, args.ann_file, args.data_prefix)
    logits = student_logits_fn(model)
    clean_top1 = 100. * float((logits(inputs).argmax(1) == labels).double().mean())
    alpha = float(cfg.model.get('alpha', 2.))
    cov = mask_coverage(model.teacher.module['backbone'], model.mix_block, model.mix_stage,
                        (inputs, None, labels), pairs=args.pairs, seed=args.seed,
                        logits_fn=logits, alpha=alpha, return_pairs=True)
    per_pair = cov.pop('per_pair')
    kinds = {}
    for key in ('automix', 'random_box', 'flat'):
        gap = (per_pair[key].flatten(1).mean(1) - per_pair['lam']).abs().mean()
        stats = dict(cov[key])
        stats['lam_gap'] = float(gap)
        kinds[key] = _nan_to_none(stats)
    return dict(config=args.config, checkpoint=args.checkpoint, data_root=data_root,
                ann_file=args.ann_file, num_images=int(inputs.shape[0]),
                clean_top1=clean_top1, mix_stage=int(model.mix_stage), alpha=alpha,
                seed=args.seed, pairs_drawn=args.pairs, pairs=cov['pairs'],
                lam_mean=cov['lam_mean'], **kinds), per_pair


def _f(v, spec='.3f'):
    return 'n/a' if v is None else format(v, spec)


def mask_stats_markdown(res):
    lines = [f"AutoMix masks of `{res['checkpoint']}` (config `{res['config']}`) over "
             f"{res['pairs']} different-class pairs of `{res['ann_file']}` "
             f"({res['num_images']} images; lam ~ Beta({res['alpha']:g},{res['alpha']:g}), "
             f"mean {res['lam_mean']:.3f}; seed {res['seed']}). Student clean top-1 on the "
             f"list: {res['clean_top1']:.2f} %.", '',
             '| mask | mean weight of x | mean abs(mean - lam) | corr(mean, lam) | '
             'spatial std | saturated | mixed CE (student) |',
             '|---|---:|---:|---:|---:|---:|---:|']
    for key, label in (('automix', 'AutoMix (learned)'), ('random_box', 'random box (CutMix)'),
                       ('flat', 'flat (Mixup)')):
        s = res[key]
        lines.append(f"| {label} | {_f(s['mask_mean'])} | {_f(s['lam_gap'])} | "
                     f"{_f(s['lam_corr'])} | {_f(s['spatial_std'])} | {_f(s['saturated'])} | "
                     f"{_f(s['mixed_ce'])} |")
    lines += ['', 'spatial std: mean per-image std of the mask (0 for a flat blend); saturated: '
              'share of pixels below 0.01 or above 0.99; mixed CE: '
              'lam * CE(y_a) + (1 - lam) * CE(y_b) of the mixed image under the student.']
    return '\n'.join(lines)


def main_checkpoint(args, argv=None):
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    cfg, model = load_automix(args.config, args.checkpoint, args.cfg_options)
    res, _ = mask_stats(model, cfg, args)
    res = dict(command='python ' + ' '.join([osp.relpath(__file__)] + list(
        sys.argv[1:] if argv is None else argv)), **res)
    md = mask_stats_markdown(res)
    print(md, flush=True)
    with open(osp.join(args.out, 'mask_stats.json'), 'w') as f:
        json.dump(res, f, indent=2)
    with open(osp.join(args.out, 'mask_stats.md'), 'w') as f:
        f.write(md + '\n')
    return res


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    if args.checkpoint:
        return main_checkpoint(args, argv)
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
