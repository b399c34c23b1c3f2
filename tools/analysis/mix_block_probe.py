"""Probe what masks a trained classifier rewards: train an AutoMix Mix Block
alone against a frozen classifier (the role of AutoMix's momentum teacher) on
the synthetic data, and follow its masks.

Each iteration draws ``lam ~ Beta(alpha, alpha)`` (one per batch) and a
partner permutation, builds the mask from the frozen classifier's features
(stage ``--mix-stage``), mixes the pair and minimises AutoMix's Mix Block loss
(mixed CE of the frozen classifier + ``l_lam``), exactly the Mix Block's part
of ``AutoMix.loss``. Every ``--eval-every`` iterations the masks of random
different-class test pairs are scored against the generator's foreground
masks (``automix_evidence.mask_coverage``): mean, corr with ``lam``, spatial
std, object coverage and focus, the saturated share (pixels beyond 0.01 /
0.99), and the frozen classifier's mixed CE under the learned mask, a flat
Mixup mask and a random box of the same ``lam``.

It answers two questions the full AutoMix run mixes together: does the Mix
Block's training stay stable (no saturation), and does the classifier's loss
prefer spatial masks over a flat blend on this data at all?

Usage (checkpoints from ``automix_evidence.py``'s runs)::

    python tools/analysis/mix_block_probe.py \\
        configs/mixups/mixup/resnet18_mixup_synthetic.py \\
        work_dirs/automix_evidence/Mixup/epoch_30.pth --iters 600 --lam-anchor
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('config', help='classifier config (its model and data preprocessor)')
    p.add_argument('checkpoint', help='trained weights of that classifier (safe load)')
    p.add_argument('--data-root', default='data/synthetic_cls')
    p.add_argument('--iters', type=int, default=600)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=0.1, help='Mix Block SGD lr (momentum 0.9)')
    p.add_argument('--clip', type=float, default=0., help='grad-norm clip (0: none)')
    p.add_argument('--mix-stage', type=int, default=2)
    p.add_argument('--alpha', type=float, default=2.0)
    p.add_argument('--mask-gamma', type=float, default=0.1)
    p.add_argument('--mask-eps', type=float, default=0.1)
    p.add_argument('--init-std', type=float, default=0.01)
    p.add_argument('--lam-embed', action='store_true')
    p.add_argument('--lam-anchor', action='store_true')
    p.add_argument('--eval-every', type=int, default=200)
    p.add_argument('--pairs', type=int, default=1000)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--out', default=None, help='write the trace as JSON here')
    return p.parse_args(argv)


def build_frozen(config, checkpoint):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401
    from mmmix.registry import MODELS
    from mmmix.utils import safe_load
    init_default_scope('mmmix')
    cfg = Config.fromfile(config)
    if cfg.get('data_preprocessor') is not None:
        cfg.model.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(cfg.model)
    state = safe_load(checkpoint)
    model.load_state_dict(state.get('state_dict', state), strict=True)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    if args.threads:
        torch.set_num_threads(args.threads)
    import automix_evidence as ev

    from mmmix.mixers.mixup import Mixup
    from mmmix.models.classifiers.automix import _lerp_pairs
    from mmmix.models.losses.functional import mixed_cross_entropy
    from mmmix.models.mix_blocks import (PixelMixBlock, forward_to_stage, mask_lam_loss,
                                         stage_channels)
    torch.manual_seed(args.seed)
    model = build_frozen(args.config, args.checkpoint)

    def logits(x):
        feats = model.backbone(x)
        if model.with_neck:
            feats = model.neck(feats)
        return model.head(feats)

    x_train, _, y_train = ev.load_split(args.data_root, model.data_preprocessor, 'train')
    test = ev.load_split(args.data_root, model.data_preprocessor, 'test')
    block = PixelMixBlock(in_channels=stage_channels(model.backbone, args.mix_stage),
                          lam_embed=args.lam_embed, lam_anchor=args.lam_anchor,
                          init_std=args.init_std)
    optim = torch.optim.SGD(block.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    # lam (one per batch) and the partners drawn as AutoMix draws them
    sampler = Mixup(alpha=args.alpha, lam_mode='batch', seed=args.seed)
    g = sampler.generator
    size = x_train.shape[-2:]
    trace, t0 = [], time.time()

    def evaluate(it):
        cov = ev.mask_coverage(model.backbone, block, args.mix_stage, test, pairs=args.pairs,
                               seed=args.seed, logits_fn=logits)
        row = dict(iter=it, seconds=round(time.time() - t0, 1), **cov)
        trace.append(row)
        a, f, b = cov['automix'], cov['flat'], cov['random_box']
        print(f"iter {it:5d}: mask mean {a['mask_mean']:.3f} (lam {cov['lam_mean']:.3f}, corr "
              f"{a['lam_corr']:.3f}), spatial std {a['spatial_std']:.3f}, own focus "
              f"{a['own_focus']:+.3f}, partner focus {a['partner_focus']:+.3f}, saturated "
              f"{a['saturated']:.3f} | mixed CE learned {a['mixed_ce']:.3f}, flat "
              f"{f['mixed_ce']:.3f}, random box {b['mixed_ce']:.3f}", flush=True)

    for it in range(args.iters + 1):
        if it % args.eval_every == 0 or it == args.iters:
            evaluate(it)
            if it == args.iters:
                break
        rows = torch.randint(0, x_train.shape[0], (args.batch, ), generator=g)
        x, y = x_train[rows], y_train[rows]
        lam = sampler.sample_lam(args.batch, g)
        index = sampler.sample_index(args.batch, g)
        with torch.no_grad():
            z = forward_to_stage(model.backbone, x, args.mix_stage)
        mask = block(z, lam, index, size, 'nearest')
        loss = mixed_cross_entropy(logits(_lerp_pairs(x, index, mask)), y, y[index], lam) \
            + mask_lam_loss(mask, lam, args.mask_gamma, args.mask_eps)
        optim.zero_grad()
        loss.backward()
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(block.parameters(), args.clip)
        optim.step()
    result = dict(command='python ' + ' '.join([osp.relpath(__file__)] + (argv or sys.argv[1:])),
                  trace=trace)
    if args.out:
        os.makedirs(osp.dirname(args.out) or '.', exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == '__main__':
    main()
