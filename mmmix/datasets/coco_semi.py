"""Partial-label splits of a COCO annotation file for semi-supervised detection.

File names follow mmdet's ``tools/misc/split_coco.py`` (which SoftTeacher
configs read): ``<stem>.<fold>@<percent>.json`` (labeled) and
``<stem>.<fold>@<percent>-unlabeled.json`` (the rest), ``stem`` being the
annotation file's name without ``.json``. Two differences from that script:
the labeled images are drawn *without* replacement (it samples with
replacement, so fewer distinct images than the percentage end up labeled),
and the percentage is written as given (``1``, not ``1.0``), so the names
match those the stock configs expect.
"""
import json
import os
import os.path as osp
from typing import Dict, Sequence, Tuple

import numpy as np

DEFAULT_PERCENTS = (1, 5, 10)


def split_name(stem: str, percent: float, fold: int, unlabeled: bool = False) -> str:
    """``instances_train.1@10.json`` style file name."""
    tail = '-unlabeled' if unlabeled else ''
    return f'{stem}.{int(fold)}@{float(percent):g}{tail}.json'


def split_coco_semi(ann_file: str, out_dir: str, percent: float, fold: int = 1
                    ) -> Tuple[str, str]:
    """Write the labeled / unlabeled split of ``ann_file``; ``percent`` of its
    images (at least one) are labeled, chosen by a generator seeded with
    ``fold``. Both files keep every annotation of their images and the
    categories. Returns the two paths."""
    if not 0 < float(percent) < 100:
        raise ValueError(f'percent must be in (0, 100), got {percent!r}')
    if int(fold) != fold or fold < 1:
        raise ValueError(f'fold must be a positive integer, got {fold!r}')
    with open(ann_file, encoding='utf-8') as f:
        coco = json.load(f)
    images = coco['images']
    if not images:
        raise ValueError(f'{ann_file} has no images to split')
    count = max(1, int(round(float(percent) / 100 * len(images))))
    picked = set(np.random.default_rng(int(fold)).choice(len(images), count, replace=False)
                 .tolist())
    stem = osp.splitext(osp.basename(ann_file))[0]
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for unlabeled in (False, True):
        imgs = [im for i, im in enumerate(images) if (i in picked) != unlabeled]
        ids = {im['id'] for im in imgs}
        part: Dict = {k: v for k, v in coco.items() if k not in ('images', 'annotations')}
        part['images'] = imgs
        part['annotations'] = [a for a in coco['annotations'] if a['image_id'] in ids]
        path = osp.join(out_dir, split_name(stem, percent, fold, unlabeled))
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(part, f, separators=(',', ':'), sort_keys=True)
        paths.append(path)
    return paths[0], paths[1]


def write_semi_splits(ann_file: str, out_dir: str,
                      percents: Sequence[float] = DEFAULT_PERCENTS, fold: int = 1) -> list:
    """:func:`split_coco_semi` for each percentage; returns the labeled paths."""
    return [split_coco_semi(ann_file, out_dir, p, fold)[0] for p in percents]
