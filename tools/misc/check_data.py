"""Report which data files the given configs need and which of them are missing.

    python tools/misc/check_data.py CONFIG [CONFIG ...] [--splits train val test]
        [--cfg-options k=v ...]

For every ``{split}_dataloader`` of each config, the dataset and the datasets it wraps
(the keys ``dataset``, ``datasets``, ``labeled``, ``unlabeled``) are walked, and each
``data_root``, ``ann_file`` and ``data_prefix`` is checked on disk. So is the
``ann_file`` of the val/test evaluators (COCO metrics). Dataset types that read fixed
file names (mmpretrain's ``CIFAR10``, ``CUB``, ``ImageNet``, ...) are also checked
for those files. Prints one line per path and exits with status 1 when any is
missing. How to prepare each data set: docs/data_preparation.md.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # checkout

#: dataset type -> files under ``data_root`` that the type reads by fixed name
#: (``{split}`` is the dataset's ``split``)
FIXED_FILES = {
    'CIFAR10': ['cifar-10-batches-py'],
    'CIFAR100': ['cifar-100-python'],
    'CUB': ['images.txt', 'image_class_labels.txt', 'train_test_split.txt', 'images'],
    'FGVCAircraft': ['data/images_variant_{split}.txt', 'data/images'],
    'StanfordCars': ['cars_annos.mat'],
    'ImageNet': ['{split}'],
}
#: what to add when a fixed file is missing
HINTS = {
    'CIFAR10': "mmpretrain's CIFAR10 downloads it with download=True (the default) when "
               'the machine is online',
    'CIFAR100': "mmpretrain's CIFAR100 downloads it with download=True (the default) when "
                'the machine is online',
}


def _joined(root, path):
    return path if osp.isabs(path) or not root else osp.join(root, path)


def dataset_paths(ds):
    """``(key, path, kind)`` for each file or folder a dataset config names, with
    ``kind`` 'dir' or 'file' (``path`` joined with ``data_root``)."""
    root = ds.get('data_root') or ''
    out = []
    if root:
        out.append(('data_root', root, 'dir'))
    ann = ds.get('ann_file')
    if isinstance(ann, str) and ann and '://' not in ann:
        out.append(('ann_file', _joined(root, ann), 'file'))
    prefix = ds.get('data_prefix')
    prefixes = prefix.items() if isinstance(prefix, dict) else [(None, prefix)]
    for name, value in prefixes:
        if isinstance(value, str) and value and '://' not in value:
            key = 'data_prefix' if name is None else f'data_prefix.{name}'
            out.append((key, _joined(root, value), 'dir'))
    dtype = str(ds.get('type', '')).split('.')[-1]
    split = ds.get('split', 'train')
    for rel in FIXED_FILES.get(dtype, ()):
        rel = rel.format(split=split)
        out.append((f'{dtype} reads', _joined(root, rel), 'dir' if '.' not in rel else 'file'))
    return out


def config_entries(cfg, splits=('train', 'val', 'test')):
    """``(owner key, dataset type, [(key, path, kind), ...])`` for every dataset of the
    ``splits``' dataloaders and every evaluator ``ann_file`` of ``cfg``."""
    from mmmix.engine.launch import _dataset_cfgs
    entries = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not isinstance(loader, dict):
            continue
        for key, ds in _dataset_cfgs(loader.get('dataset'), f'{split}_dataloader.dataset'):
            paths = dataset_paths(ds)
            if paths:
                entries.append((key, str(ds.get('type', '?')), paths))
        evaluators = cfg.get(f'{split}_evaluator') or []
        for i, ev in enumerate(evaluators if isinstance(evaluators, list) else [evaluators]):
            ann = ev.get('ann_file') if isinstance(ev, dict) else None
            if isinstance(ann, str) and ann:
                key = f'{split}_evaluator' + (f'[{i}]' if isinstance(evaluators, list) else '')
                entries.append((key, str(ev.get('type', '?')), [('ann_file', ann, 'file')]))
    return entries


def check_config(path, cfg_options=None, splits=('train', 'val', 'test'), log=print):
    """Print the data files of one config; return the number that are missing."""
    from mmengine.config import Config
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    log(path)
    missing, seen = 0, {}
    entries = config_entries(cfg, splits)
    if not entries:
        log('  (no dataset paths in its dataloaders)')
    for key, dtype, paths in entries:
        same = seen.setdefault(repr(paths), key)
        if same != key:
            log(f'  {key} ({dtype}): the same files as {same}')
            continue
        log(f'  {key} ({dtype})')
        for name, p, kind in paths:
            ok = osp.isdir(p) if kind == 'dir' else osp.isfile(p)
            missing += not ok
            hint = ''
            if not ok and name.endswith(' reads'):
                hint = HINTS.get(name.split()[0], '')
                hint = f'  ({hint})' if hint else ''
            log(f"    {'ok     ' if ok else 'MISSING'}  {name} = {p}{hint}")
    return missing


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('configs', nargs='+', metavar='CONFIG')
    p.add_argument('--splits', nargs='+', default=['train', 'val', 'test'],
                   choices=['train', 'val', 'test'])
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config keys (e.g. a data_root) before checking')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()
    missing = 0
    for path in args.configs:
        missing += check_config(path, args.cfg_options, tuple(args.splits))
    where = 'docs/data_preparation.md'
    print(f'{missing} missing path(s); how to prepare each data set: {where}' if missing
          else 'all data paths exist')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
