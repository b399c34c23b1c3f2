"""Write the annotation files that mmmix's configs read and mmpretrain has no tool for.

    # Tiny-ImageNet (the official zip unpacked): meta/{train,val,classes}.txt, in place
    python tools/dataset_converters/convert_datasets.py tiny-imagenet data/tiny-imagenet
    # a data set that an mmpretrain type reads (CUB, FGVCAircraft, StanfordCars, CIFAR10,
    # CIFAR100) -> the CustomDataset layout of the fine-tuning / semi-supervised configs
    python tools/dataset_converters/convert_datasets.py mmpretrain CUB data/CUB_200_2011 data/cub200
    # COCO partial-label splits (mmdet's file names) for the SoftTeacher configs
    python tools/dataset_converters/convert_datasets.py coco-semi \
        data/coco/annotations/instances_train2017.json

``mmpretrain`` writes ``OUT/{train,test}/<label>/<file>`` and ``OUT/meta/{train,test}.txt``
(``"<label>/<file> <label>"`` lines) plus ``OUT/meta/classes.txt``. Image files are linked
to the originals (``--copy`` copies them); the arrays of the CIFAR binary release are
written as PNGs. FGVC-Aircraft's ``trainval`` split becomes ``train``.
Layouts and the configs that read them: docs/data_preparation.md.
"""
import argparse
import os
import os.path as osp
import shutil
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # checkout

#: mmpretrain dataset type -> {mmpretrain split: output split}
MMPRETRAIN_SPLITS = {
    'CUB': {'train': 'train', 'test': 'test'},
    'FGVCAircraft': {'trainval': 'train', 'test': 'test'},
    'StanfordCars': {'train': 'train', 'test': 'test'},
    'CIFAR10': {'train': 'train', 'test': 'test'},
    'CIFAR100': {'train': 'train', 'test': 'test'},
}


def _write_lines(path, lines):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(f'{line}\n' for line in lines)
    return path


def tiny_imagenet(root):
    """Annotation files for the official Tiny-ImageNet layout under ``root``:
    ``train/<wnid>/images/*.JPEG`` and ``val/images/*.JPEG`` with
    ``val/val_annotations.txt``. Labels follow the sorted ``wnids.txt``.
    Returns ``{split: number of images}``."""
    wnids_file = osp.join(root, 'wnids.txt')
    if not osp.isfile(wnids_file):
        raise FileNotFoundError(f'{wnids_file} not found: is {root!r} the unpacked '
                                'tiny-imagenet-200 folder?')
    with open(wnids_file, encoding='utf-8') as f:
        wnids = sorted(line.strip() for line in f if line.strip())
    label = {w: i for i, w in enumerate(wnids)}
    train = []
    for wnid in wnids:
        folder = osp.join(root, 'train', wnid, 'images')
        if not osp.isdir(folder):
            raise FileNotFoundError(f'{folder} not found (class {wnid} of wnids.txt)')
        train += [f'{wnid}/images/{name} {label[wnid]}' for name in sorted(os.listdir(folder))]
    val = []
    val_ann = osp.join(root, 'val', 'val_annotations.txt')
    with open(val_ann, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            name, wnid = line.split('\t')[:2]
            if wnid not in label:
                raise ValueError(f'{val_ann}:{n}: class {wnid!r} is not in wnids.txt')
            val.append(f'images/{name} {label[wnid]}')
    _write_lines(osp.join(root, 'meta', 'train.txt'), train)
    _write_lines(osp.join(root, 'meta', 'val.txt'), val)
    _write_lines(osp.join(root, 'meta', 'classes.txt'), wnids)
    return dict(train=len(train), val=len(val))


def _place(src, dst, copy):
    if osp.lexists(dst):
        os.remove(dst)
    if copy:
        shutil.copyfile(src, dst)
    else:
        os.symlink(osp.abspath(src), dst)


def from_mmpretrain(dataset_type, src, out, copy=False):
    """The CustomDataset layout of a data set that mmpretrain's ``dataset_type`` reads
    from ``src``; returns ``{output split: number of images}``."""
    import mmpretrain.datasets
    from PIL import Image
    if dataset_type not in MMPRETRAIN_SPLITS:
        raise ValueError(f'dataset type {dataset_type!r} is not supported; valid choices are '
                         f'{sorted(MMPRETRAIN_SPLITS)}')
    counts, classes = {}, None
    for split, out_split in MMPRETRAIN_SPLITS[dataset_type].items():
        extra = dict(download=False) if dataset_type.startswith('CIFAR') else {}
        ds = getattr(mmpretrain.datasets, dataset_type)(data_root=src, split=split, **extra)
        classes = ds.metainfo['classes']
        lines = []
        for i in range(len(ds)):
            info = ds.get_data_info(i)
            label = int(info['gt_label'])
            folder = osp.join(out, out_split, f'{label:03d}')
            os.makedirs(folder, exist_ok=True)
            if 'img_path' in info:
                name = osp.basename(info['img_path'])
                _place(info['img_path'], osp.join(folder, name), copy)
            else:  # the CIFAR arrays (RGB, HWC)
                name = f'{i:05d}.png'
                Image.fromarray(info['img']).save(osp.join(folder, name))
            lines.append(f'{label:03d}/{name} {label}')
        _write_lines(osp.join(out, 'meta', f'{out_split}.txt'), lines)
        counts[out_split] = len(lines)
    _write_lines(osp.join(out, 'meta', 'classes.txt'), classes)
    return counts


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest='command', required=True)
    t = sub.add_parser('tiny-imagenet', help='meta/{train,val,classes}.txt for Tiny-ImageNet')
    t.add_argument('root', help='the unpacked tiny-imagenet-200 folder (e.g. data/tiny-imagenet)')
    m = sub.add_parser('mmpretrain', help='the CustomDataset layout from an mmpretrain type')
    m.add_argument('type', choices=sorted(MMPRETRAIN_SPLITS))
    m.add_argument('src', help='the data root that the mmpretrain type reads')
    m.add_argument('out', help='output data root (may equal src)')
    m.add_argument('--copy', action='store_true', help='copy image files instead of linking')
    c = sub.add_parser('coco-semi', help='COCO partial-label splits (1/5/10 %% by default)')
    c.add_argument('ann_file', help='e.g. data/coco/annotations/instances_train2017.json')
    c.add_argument('--out-dir', help='default: semi_anns/ beside the annotations folder')
    c.add_argument('--percents', nargs='+', type=float, default=[1, 5, 10])
    c.add_argument('--fold', type=int, default=1)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.command == 'tiny-imagenet':
        counts = tiny_imagenet(args.root)
        print(f'{args.root}/meta: ' + ', '.join(f'{k} {v} images' for k, v in counts.items()))
    elif args.command == 'mmpretrain':
        counts = from_mmpretrain(args.type, args.src, args.out, args.copy)
        print(f'{args.out}: ' + ', '.join(f'{k} {v} images' for k, v in counts.items()))
    else:
        from mmmix.datasets.coco_semi import write_semi_splits
        out = args.out_dir or osp.join(osp.dirname(osp.dirname(osp.abspath(args.ann_file))),
                                       'semi_anns')
        counts = write_semi_splits(args.ann_file, out, args.percents, args.fold)
        print('\n'.join(counts))
    return counts


if __name__ == '__main__':
    main()
