"""Does the pretraining method change detection transfer? (synthetic data, CPU)

For each method: pretrain the transfer demo's narrow ImageNet-stem ResNet-18 on
the 64 px synthetic classes (30 epochs, the same schedule and seed), convert
the checkpoint, fine-tune Faster R-CNN FPN on the synthetic VOC layout (the
demo's schedule) and report the VOC mAP on its test split, next to the
classifier's test top-1. One table, also written to ``WORK_DIR/summary.json``.

    python tools/analysis/transfer_evidence.py [--methods vanilla mixup cutmix automix]
        [--work-dir DIR] [--pretrain-epochs N] [--det-epochs N]

Methods: ``vanilla`` (no mixing), ``mixup`` (alpha 1), ``cutmix`` (alpha 0.2,
the synthetic CutMix config), ``automix`` (configs/automix/
resnet18-w16_automix_synthetic.py with the ImageNet-stem backbone and the 64 px
data; the student is converted).
"""
import argparse
import json
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, osp.join(ROOT, 'tools'))

import demo_transfer as demo  # noqa: E402

AUTOMIX_CONFIG = osp.join(ROOT, 'configs', 'automix', 'resnet18-w16_automix_synthetic.py')
METHODS = ('vanilla', 'mixup', 'cutmix', 'automix')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--methods', nargs='+', choices=METHODS, default=list(METHODS))
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'transfer_evidence'))
    p.add_argument('--cls-root', default=osp.join(ROOT, 'data', 'synthetic_cls64'))
    p.add_argument('--det-root', default=osp.join(ROOT, 'data', 'synthetic_det'))
    p.add_argument('--pretrain-epochs', type=int, default=30)
    p.add_argument('--det-epochs', type=int, default=4)
    args = p.parse_args(argv)
    for key in ('pretrain_epochs', 'det_epochs'):
        if getattr(args, key) < 1:
            p.error(f'--{key.replace("_", "-")} must be >= 1, got {getattr(args, key)}')
    if args.pretrain_epochs < 2:  # one warm-up epoch, then the cosine
        p.error(f'--pretrain-epochs must be >= 2, got {args.pretrain_epochs}')
    return args


def method_setup(method):
    """``(config, edit)`` for :func:`demo_transfer.pretrain`."""
    from mmengine.config import Config

    def mixers(spec):
        def edit(cfg):
            cfg.model.mixers = spec
        return edit

    if method == 'vanilla':
        return demo.PRETRAIN_CONFIG, mixers(['vanilla'])
    if method == 'mixup':
        return demo.PRETRAIN_CONFIG, None  # the demo's own Mixup (alpha 1)
    if method == 'cutmix':
        return demo.PRETRAIN_CONFIG, mixers([dict(type='CutMix', alpha=0.2)])
    if method == 'automix':
        base = Config.fromfile(demo.PRETRAIN_CONFIG)

        def edit(cfg):
            # the same ImageNet-stem backbone and 64 px pipeline as the other methods
            cfg.model.backbone = base.model.backbone
            cfg.train_dataloader.dataset.pipeline = base.train_dataloader.dataset.pipeline
        return AUTOMIX_CONFIG, edit
    raise ValueError(f'unknown method {method!r}; valid: {list(METHODS)}')


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    t0 = time.time()
    import mmmix  # noqa: F401
    demo.make_data(args)
    rows = []
    for method in args.methods:
        config, edit = method_setup(method)
        work = osp.join(args.work_dir, method)
        t = time.time()
        ckpt, top1 = demo.pretrain(args, config, osp.join(work, 'pretrain'), edit)
        t_pre = time.time() - t
        backbone, _ = demo.convert(args, ckpt, osp.join(work, 'backbone_mmdet.pth'))
        demo.log(f'{method}: Faster R-CNN FPN on synthetic VOC, {args.det_epochs} epochs')
        voc, t_det = demo.detect(demo.FASTER_CONFIG, osp.join(work, 'faster-rcnn'), backbone,
                                 args.det_epochs, args.det_root, 'VOCdevkit/')
        rows.append(dict(method=method, top1=top1, voc_map=100 * voc['pascal_voc/mAP'],
                         t_pretrain=t_pre, t_det=t_det))
    print('\n' + '=' * 72 + '\npretraining method -> detection transfer (synthetic, CPU)\n'
          + '-' * 72)
    print(f'{"method":<10} {"cls test top-1":>15} {"VOC mAP (test)":>15} '
          f'{"pretrain s":>11} {"detect s":>9}')
    for r in rows:
        print(f'{r["method"]:<10} {r["top1"]:>14.2f}% {r["voc_map"]:>15.1f} '
              f'{r["t_pretrain"]:>11.0f} {r["t_det"]:>9.0f}')
    print(f'total {time.time() - t0:.0f} s\n' + '=' * 72)
    with open(osp.join(args.work_dir, 'summary.json'), 'w') as f:
        json.dump(dict(rows=rows, pretrain_epochs=args.pretrain_epochs,
                       det_epochs=args.det_epochs), f, indent=2)
    return rows


if __name__ == '__main__':
    main()
