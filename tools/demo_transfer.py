"""The transfer demo (``make demo-transfer``): the whole mission on CPU.

1. synthetic data: 10-class 64x64 classification images and the 64x64
   detection set (VOC + COCO layouts);
2. pretrain a narrow ImageNet-stem ResNet-18 with Mixup (mmpretrain Runner);
3. convert its checkpoint with tools/model_converters/mmmix_to_mmdet.py's
   library (weights-only load, kept/dropped report, strict verification);
4. fine-tune Faster R-CNN FPN on the synthetic VOC layout, VOC mAP on test;
5. fine-tune Mask R-CNN FPN on the synthetic COCO layout, bbox and segm AP;
6. print one summary table (also ``WORK_DIR/summary.json``).

``--baseline`` also trains both detectors from scratch (random backbone) with
the same schedule, so the table shows what the pretraining brought.

    python tools/demo_transfer.py [--work-dir DIR] [--pretrain-epochs N]
        [--det-epochs N] [--mask-epochs N] [--baseline]
"""
import argparse
import json
import os.path as osp
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

PRETRAIN_CONFIG = osp.join(ROOT, 'configs', 'demo',
                           'resnet18-w16-imagenet-stem_mixup_synthetic-64px.py')
FASTER_CONFIG = osp.join(ROOT, 'configs', 'detection', 'faster-rcnn_r18-w16_fpn_synthetic-voc.py')
MASK_CONFIG = osp.join(ROOT, 'configs', 'detection', 'mask-rcnn_r18-w16_fpn_synthetic-coco.py')
CLS_PARAMS = dict(num_classes=10, img_size=64, num_train=200, num_val=50, num_test=50, seed=0)
DET_PARAMS = dict(num_train=400, num_val=100, num_test=100, img_size=64, num_classes=5, seed=0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'demo_transfer'))
    p.add_argument('--cls-root', default=osp.join(ROOT, 'data', 'synthetic_cls64'))
    p.add_argument('--det-root', default=osp.join(ROOT, 'data', 'synthetic_det'))
    p.add_argument('--pretrain-epochs', type=int, default=30)
    p.add_argument('--det-epochs', type=int, default=4,
                   help='Faster R-CNN epochs (lr x0.1 for the last one)')
    p.add_argument('--mask-epochs', type=int, default=3,
                   help='Mask R-CNN epochs (lr x0.1 for the last one)')
    p.add_argument('--baseline', action='store_true',
                   help='also train both detectors from a random backbone')
    args = p.parse_args(argv)
    for key in ('pretrain_epochs', 'det_epochs', 'mask_epochs'):
        if getattr(args, key) < 1:
            p.error(f'--{key.replace("_", "-")} must be >= 1, got {getattr(args, key)}')
    if args.pretrain_epochs < 2:  # a warm-up, then the cosine
        p.error(f'--pretrain-epochs must be >= 2, got {args.pretrain_epochs}')
    return args


def log(msg):
    print(f'[demo-transfer {time.strftime("%H:%M:%S")}] {msg}', flush=True)


def make_data(args):
    from mmmix.datasets import ensure_classification, ensure_detection
    progress = (lambda s, d, t: log(f'  {s}: {d}/{t} images'))
    log(f'step 1/5: synthetic data in {args.cls_root} and {args.det_root}')
    log('  classification: ' + ensure_classification(args.cls_root, progress, **CLS_PARAMS))
    log('  detection: ' + ensure_detection(args.det_root, progress, **DET_PARAMS))


def _runner(config, work_dir, options, epochs):
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmmix.engine.schedule import rescale_schedule
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    rescale_schedule(cfg, epochs)
    cfg.merge_from_dict(options)
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    return Runner.from_cfg(cfg)


def pretrain(args, config=PRETRAIN_CONFIG, work=None, edit=None):
    """Train ``config`` for ``args.pretrain_epochs`` on ``args.cls_root`` (``edit(cfg)``
    may change the loaded config first); return ``(checkpoint, test top-1)``."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmmix.engine.schedule import rescale_schedule
    work = work or osp.join(args.work_dir, 'pretrain')
    n = args.pretrain_epochs
    cfg = Config.fromfile(config)
    if edit is not None:
        edit(cfg)
    cfg.work_dir = work
    rescale_schedule(cfg, n)  # warm-up and cosine fitted to n epochs
    cfg.merge_from_dict({'default_hooks.checkpoint.interval': n})
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[part].dataset.data_root = args.cls_root
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    log(f'step 2/5: pretraining {osp.relpath(config, ROOT)} ({n} epochs)')
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    return osp.join(work, f'epoch_{n}.pth'), metrics.get('accuracy/top1', float('nan'))


def convert(args, ckpt, out=None):
    from mmmix.utils import convert_checkpoint, format_report
    out = out or osp.join(args.work_dir, 'backbone_mmdet.pth')
    log(f'step 3/5: converting {osp.relpath(ckpt, ROOT)} for mmdet')
    report = convert_checkpoint(ckpt, out)
    for line in format_report(report).splitlines():
        log('  ' + line)
    return out, report


def detect(config, work, backbone, epochs, data_root, det_root_key):
    """Train ``config`` for ``epochs`` (lr x0.1 before the last) and test it."""
    opts = {'train_cfg.val_interval': epochs,
            'param_scheduler.1.milestones': [max(1, epochs - 1)],
            'default_hooks.checkpoint.interval': epochs}
    if backbone is None:
        opts['model.backbone.init_cfg'] = None
    else:
        opts['model.backbone.init_cfg.checkpoint'] = backbone
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts[f'{part}.dataset.data_root'] = osp.join(data_root, det_root_key)
    if det_root_key == 'coco/':
        for part in ('val_evaluator', 'test_evaluator'):
            opts[f'{part}.ann_file'] = osp.join(data_root, 'coco', 'annotations',
                                                'instances_val.json')
    runner = _runner(config, work, opts, epochs)
    t = time.time()
    runner.train()
    metrics = runner.test()
    return metrics, time.time() - t


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    t0 = time.time()
    import mmmix  # noqa: F401
    make_data(args)
    t = time.time()
    ckpt, top1 = pretrain(args)
    t_pre = time.time() - t
    backbone, report = convert(args, ckpt)

    runs = [('pretrained', backbone)] + ([('scratch', None)] if args.baseline else [])
    results = {}
    for tag, init in runs:
        log(f'step 4/5: Faster R-CNN FPN on synthetic VOC, {args.det_epochs} epochs, '
            f'{tag} backbone')
        voc, t_voc = detect(FASTER_CONFIG, osp.join(args.work_dir, f'faster-rcnn_{tag}'), init,
                            args.det_epochs, args.det_root, 'VOCdevkit/')
        log(f'step 5/5: Mask R-CNN FPN on synthetic COCO, {args.mask_epochs} epochs, '
            f'{tag} backbone')
        coco, t_coco = detect(MASK_CONFIG, osp.join(args.work_dir, f'mask-rcnn_{tag}'), init,
                              args.mask_epochs, args.det_root, 'coco/')
        results[tag] = dict(voc_map=voc.get('pascal_voc/mAP', float('nan')),
                            bbox_ap=coco.get('coco/bbox_mAP', float('nan')),
                            segm_ap=coco.get('coco/segm_mAP', float('nan')),
                            t_voc=t_voc, t_coco=t_coco)

    rows = [
        ('pretrain', f'{osp.relpath(PRETRAIN_CONFIG, ROOT)}, {args.pretrain_epochs} epochs, '
                     f'{t_pre:.0f} s, test top-1 {top1:.2f} %'),
        ('converted', f'{osp.relpath(backbone, ROOT)}: {report["kept"]["tensors"]} tensors '
                      f'kept, {sum(report["dropped"].values())} dropped '
                      f'({", ".join(report["dropped"])})'),
        ('verified', report['verification']),
    ]
    for tag, r in results.items():
        rows += [
            (f'Faster R-CNN, {tag}', f'VOC mAP {100 * r["voc_map"]:.1f} (test, 100 images, '
                                     f'{args.det_epochs} epochs, {r["t_voc"]:.0f} s)'),
            (f'Mask R-CNN, {tag}', f'bbox AP {100 * r["bbox_ap"]:.1f}, segm AP '
                                   f'{100 * r["segm_ap"]:.1f} (val, 100 images, '
                                   f'{args.mask_epochs} epochs, {r["t_coco"]:.0f} s)'),
        ]
    rows.append(('total time', f'{time.time() - t0:.0f} s'))
    width = max(len(k) for k, _ in rows)
    print('\n' + '=' * 78 + '\nmmmix transfer demo summary\n' + '-' * 78)
    for k, v in rows:
        print(f'{k:<{width}}  {v}')
    print('=' * 78)
    summary = dict(rows=dict(rows), results=results, pretrain_top1=top1)
    with open(osp.join(args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    return summary


if __name__ == '__main__':
    main()
