"""Generate mmmix's synthetic data sets (nothing is downloaded).

Examples::

    # classification: 10 shape classes, 32x32, 500/100/100 images per class
    python tools/dataset_converters/make_synthetic.py --kind cls --out data/synthetic_cls
    # detection: 5 classes (Pascal VOC names), 64x64, 400/100/100 images, VOC + COCO layouts
    python tools/dataset_converters/make_synthetic.py --kind det --out data/synthetic_det
    # small objects at varied places (radius 15-25% of the side instead of 30-45%)
    python tools/dataset_converters/make_synthetic.py --kind cls --object-scale 0.15 0.25 \
        --out data/synthetic_cls_small
    # both, into data/synthetic_cls and data/synthetic_det
    python tools/dataset_converters/make_synthetic.py --kind all --out data

The parameters are stored in ``<out>/meta/params.json``. Running again with the
same parameters does nothing (``--force`` regenerates); an output made with
other parameters, or a non-empty folder that is not a synthetic data set, is
left alone unless ``--force`` is given.
"""
import argparse
import os
import os.path as osp
import sys
import time

from mmmix.datasets.synthetic import (CLS_DEFAULTS, DET_DEFAULTS, MAX_CLS_CLASSES,
                                      DET_CLASS_SHAPES, classification_params,
                                      detection_params, generate_classification,
                                      generate_detection, read_params)

#: Entries the generators write; a folder holding only these is ours to redo.
_OWNED = dict(cls={'train', 'val', 'test', 'masks', 'meta'},
              det={'VOCdevkit', 'coco', 'meta'})
_SUBDIR = dict(cls='synthetic_cls', det='synthetic_det')


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Generate the synthetic classification / detection data sets.')
    p.add_argument('--kind', choices=('cls', 'det', 'all'), default='all',
                   help='which data set (default all: writes OUT/synthetic_cls and '
                   'OUT/synthetic_det)')
    p.add_argument('--out', default=None,
                   help='output folder (the data root for cls/det, the parent folder for all); '
                   'default data/synthetic_cls, data/synthetic_det or data')
    p.add_argument('--num-classes', type=int, default=CLS_DEFAULTS['num_classes'],
                   help=f'classification classes, 2..{MAX_CLS_CLASSES} (default '
                   f'{CLS_DEFAULTS["num_classes"]})')
    p.add_argument('--det-classes', type=int, default=DET_DEFAULTS['num_classes'],
                   help=f'detection classes, 1..{len(DET_CLASS_SHAPES)} (default '
                   f'{DET_DEFAULTS["num_classes"]})')
    p.add_argument('--img-size', type=int, default=None,
                   help=f'image side in pixels (default {CLS_DEFAULTS["img_size"]} for cls, '
                   f'{DET_DEFAULTS["img_size"]} for det)')
    for split in ('train', 'val', 'test'):
        p.add_argument(f'--{split}', type=int, default=None,
                       help=f'{split} images per class for cls (default '
                       f'{CLS_DEFAULTS["num_" + split]}), images for det (default '
                       f'{DET_DEFAULTS["num_" + split]})')
    p.add_argument('--object-scale', nargs=2, type=float, default=None, metavar=('LOW', 'HIGH'),
                   help='cls: object radius range as a fraction of the image side (default '
                   '0.3 0.45, objects spanning most of the image; e.g. 0.15 0.25 for small '
                   'objects at varied places)')
    p.add_argument('--seed', type=int, default=0, help='random seed (default 0)')
    p.add_argument('--force', action='store_true',
                   help='regenerate even if the output exists')
    return p.parse_args(argv)


def _params(kind, args):
    defaults = CLS_DEFAULTS if kind == 'cls' else DET_DEFAULTS
    pick = (lambda key, value: defaults[key] if value is None else value)
    kwargs = dict(img_size=pick('img_size', args.img_size),
                  num_train=pick('num_train', args.train),
                  num_val=pick('num_val', args.val),
                  num_test=pick('num_test', args.test), seed=args.seed)
    if kind == 'cls':
        kwargs['num_classes'] = args.num_classes
        if args.object_scale:
            kwargs['object_scale'] = tuple(args.object_scale)
        return kwargs, classification_params(**kwargs)
    kwargs['num_classes'] = args.det_classes
    return kwargs, detection_params(**kwargs)


def _decide(kind, out, params, force):
    """``'skip'``, ``'generate'`` or an error message."""
    existing = read_params(out)
    if existing == params:
        if force:
            return 'generate'
        print(f'[{kind}] {out} already holds this data set (meta/params.json matches); '
              'nothing to do (use --force to regenerate)')
        return 'skip'
    if force or not osp.isdir(out):
        return 'generate'
    if existing is not None:
        diff = ', '.join(f'{k}: {existing.get(k)!r} -> {v!r}' for k, v in params.items()
                         if existing.get(k) != v)
        return (f'[{kind}] {out} holds a data set made with other parameters ({diff}); '
                'use --force to replace it')
    foreign = sorted(set(os.listdir(out)) - _OWNED[kind])
    if foreign:
        return (f'[{kind}] {out} is not empty and is not a synthetic data set '
                f'(found {", ".join(foreign[:5])}); use --force to write into it')
    return 'generate'  # empty, or an interrupted earlier run


def _progress(kind):
    def report(split, done, total):
        print(f'[{kind}] {split}: {done}/{total} images', flush=True)
    return report


def _summary(kind, result, seconds):
    out, p = result['out_dir'], result['params']
    print(f'[{kind}] wrote {out} in {seconds:.1f} s '
          f'(img_size={p["img_size"]}, seed={p["seed"]}, classes={len(result["classes"])})')
    if kind == 'cls':
        for split, per_class in result['counts'].items():
            n = sum(per_class.values())
            print(f'  {split:5s}: {n} images ({n // max(len(per_class), 1)} per class) -> '
                  f'{osp.join(out, split)}/, ann {osp.join(out, "meta", split + ".txt")}')
        print(f'  masks: {osp.join(out, "masks")}/<split>/, classes: '
              f'{osp.join(out, "meta", "classes.txt")}')
    else:
        for split, c in result['counts'].items():
            per = ', '.join(f'{k} {v}' for k, v in c['per_class'].items())
            print(f'  {split:5s}: {c["images"]} images, {c["instances"]} objects ({per})')
        print(f'  VOC : {osp.join(out, "VOCdevkit", "VOC2007")} '
              '(ImageSets/Main/{train,val,trainval,test}.txt)')
        print(f'  COCO: {osp.join(out, "coco")} (annotations/instances_<split>.json)')
    print(f'  classes: {", ".join(result["classes"])}')


def main(argv=None):
    args = parse_args(argv)
    kinds = ('cls', 'det') if args.kind == 'all' else (args.kind, )
    jobs = []
    for kind in kinds:  # validate everything before writing anything
        if args.kind == 'all':
            out = osp.join(args.out or 'data', _SUBDIR[kind])
        else:
            out = args.out or osp.join('data', _SUBDIR[kind])
        try:
            jobs.append((kind, out) + _params(kind, args))
        except ValueError as e:
            print(f'[{kind}] invalid arguments: {e}', file=sys.stderr)
            return 2
    status = 0
    for kind, out, kwargs, params in jobs:
        decision = _decide(kind, out, params, args.force)
        if decision == 'skip':
            continue
        if decision != 'generate':
            print(decision, file=sys.stderr)
            status = 1
            continue
        print(f'[{kind}] generating into {out} ...', flush=True)
        start = time.perf_counter()
        generate = generate_classification if kind == 'cls' else generate_detection
        result = generate(out, progress=_progress(kind), **kwargs)
        _summary(kind, result, time.perf_counter() - start)
    return status


if __name__ == '__main__':
    sys.exit(main())
