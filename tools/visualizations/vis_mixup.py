"""Draw what each mixer does, like the figures in the mixup papers.

One PNG per method, with one row per sample: [source A, source B (its
partner), mixed, mask of A], the realised ``lam`` in each row's title and, for
images from a data root, each source's class name (the dataset's ``classes``).

Usage::

    # named mixers, procedurally drawn images
    python tools/visualizations/vis_mixup.py --mixers Mixup CutMix FMix --alpha 1.0
    # the mixers of a config (MixupClassifier.mixers or train_cfg.augments)
    python tools/visualizations/vis_mixup.py --config configs/xxx.py --out-dir work_dirs/vis
    # images from a folder, or from an mmpretrain CustomDataset-style data root
    python tools/visualizations/vis_mixup.py --mixers SaliencyMix --images path/to/imgs
    python tools/visualizations/vis_mixup.py --mixers GridMix --data-root data/synthetic_cls

The core is importable: :func:`make_grid_figure` (one mixer, a batch, a path).
"""
import argparse
import os
import os.path as osp
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

IMG_EXTS = ('.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff')


# ----------------------------------------------------------------- images
def procedural_images(num: int = 4, size: int = 128, seed: int = 0) -> torch.Tensor:
    """``num`` distinct RGB pictures ``[num,3,size,size]`` in ``[0,1]``: a
    coloured gradient background with one bold shape (disc, square, triangle,
    ring, cross or stripes), so that partners are easy to tell apart."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / max(size - 1, 1)
    out = []
    shapes = ('disc', 'square', 'triangle', 'ring', 'cross', 'stripes')
    for i in range(num):
        c1, c2 = rng.uniform(0.1, 0.9, 3), rng.uniform(0.1, 0.9, 3)
        t = (xx * np.cos(i) + yy * np.sin(i) + 1) / 3
        img = c1[:, None, None] * (1 - t) + c2[:, None, None] * t
        cy, cx = rng.uniform(0.3, 0.7, 2)
        r = rng.uniform(0.18, 0.3)
        dy, dx = yy - cy, xx - cx
        kind = shapes[i % len(shapes)]
        if kind == 'disc':
            fg = dy ** 2 + dx ** 2 < r ** 2
        elif kind == 'square':
            fg = (np.abs(dy) < r) & (np.abs(dx) < r)
        elif kind == 'triangle':
            fg = (dy < r) & (dy > -r) & (np.abs(dx) < (dy + r) / 2)
        elif kind == 'ring':
            d = np.sqrt(dy ** 2 + dx ** 2)
            fg = (d < r) & (d > r * 0.6)
        elif kind == 'cross':
            fg = ((np.abs(dy) < r / 3) & (np.abs(dx) < r)) | ((np.abs(dx) < r / 3)
                                                              & (np.abs(dy) < r))
        else:
            fg = (np.sin((xx + yy) * 40) > 0) & (dy ** 2 + dx ** 2 < (1.3 * r) ** 2)
        colour = 1 - c1  # contrast with the background
        img = np.where(fg[None], colour[:, None, None], img)
        out.append(img)
    return torch.from_numpy(np.stack(out)).float().clamp(0, 1)


def _load(paths: Sequence[str], size: int) -> torch.Tensor:
    import mmcv
    imgs = []
    for p in paths:
        img = mmcv.imread(p, channel_order='rgb')
        if img is None:
            raise FileNotFoundError(f'cannot read image {p}')
        imgs.append(mmcv.imresize(img, (size, size)))
    return torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 255.


def folder_images(folder: str, num: int = 4, size: int = 128) -> torch.Tensor:
    """The first ``num`` images (sorted by name) of ``folder``, resized."""
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith(IMG_EXTS))
    if len(names) < 2:
        raise ValueError(f'--images {folder!r} holds {len(names)} images; need at least 2')
    return _load([osp.join(folder, f) for f in names[:num]], size)


def dataset_samples(data_root: str, ann_file: str = 'meta/train.txt',
                    data_prefix: str = 'train', num: int = 4, size: int = 128,
                    seed: int = 0, classes: Optional[Sequence[str]] = None
                    ) -> Tuple[torch.Tensor, List[str]]:
    """``num`` images of an mmpretrain ``CustomDataset``-style folder (e.g. the
    synthetic set of ``mmmix.datasets.generate_classification``), one per
    class first where possible, and their class names.

    The names come from ``classes`` (e.g. a config's ``metainfo.classes``), else from
    ``meta/classes.txt`` in ``data_root``, else from the class sub-folders; labels
    without a name are shown as ``class <label>``."""
    from mmpretrain.datasets import CustomDataset
    if ann_file and not osp.isfile(osp.join(data_root, ann_file)):
        ann_file = ''  # fall back to scanning class sub-folders
    classes_txt = osp.join(data_root, 'meta', 'classes.txt')
    if classes is None and osp.isfile(classes_txt):
        classes = classes_txt
    ds = CustomDataset(data_root=data_root, ann_file=ann_file, data_prefix=data_prefix,
                       pipeline=[], classes=classes)
    infos = [ds.get_data_info(i) for i in range(len(ds))]
    order = np.random.default_rng(seed).permutation(len(infos))
    picked, seen = [], set()
    for i in order:  # distinct classes first
        if infos[i]['gt_label'] not in seen:
            picked.append(i)
            seen.add(infos[i]['gt_label'])
    picked = (picked + [i for i in order if i not in picked])[:num]
    names = ds.metainfo.get('classes') or ()
    labels = [int(infos[i]['gt_label']) for i in picked]
    return (_load([infos[i]['img_path'] for i in picked], size),
            [names[k] if k < len(names) else f'class {k}' for k in labels])


def dataset_images(data_root: str, ann_file: str = 'meta/train.txt',
                   data_prefix: str = 'train', num: int = 4, size: int = 128,
                   seed: int = 0) -> torch.Tensor:
    """The images of :func:`dataset_samples`, without their class names."""
    return dataset_samples(data_root, ann_file, data_prefix, num, size, seed)[0]


def config_classes(path: str) -> Optional[Sequence[str]]:
    """``metainfo.classes`` of a config's training dataset, if it names them."""
    from mmengine.config import Config
    dataset = (Config.fromfile(path).get('train_dataloader') or {}).get('dataset') or {}
    return (dataset.get('metainfo') or {}).get('classes')


# ----------------------------------------------------------------- mixers
def mixers_from_names(names: Sequence[str], alpha: float = 1.0,
                      lam_mode: str = 'elem') -> List[Tuple[str, object]]:
    import mmmix  # noqa: F401
    from mmmix.registry import BATCH_AUGMENTS
    out = []
    for name in names:
        cls = BATCH_AUGMENTS.get(name if '.' in name else f'mmmix.{name}')
        if cls is None:
            valid = sorted(k for k, v in BATCH_AUGMENTS.module_dict.items())
            raise SystemExit(f'unknown mixer {name!r}; valid choices are {valid}')
        out.append((cls.__name__, cls(alpha=alpha, lam_mode=lam_mode)))
    return out


def mixers_from_config(path: str) -> List[Tuple[str, object]]:
    """The mixers a config trains with: ``model.mixers`` of a MixupClassifier,
    else ``model.train_cfg.augments`` (batch augments that are not mmmix
    mixers are skipped with a warning; ``'vanilla'`` is skipped)."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.utils import import_modules_from_strings
    import mmmix  # noqa: F401
    from mmmix.mixers import BaseMixer
    from mmmix.registry import BATCH_AUGMENTS
    cfg = Config.fromfile(path)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    model = cfg.get('model', {})
    items = model.get('mixers')
    if items is None:
        items = (model.get('train_cfg') or {}).get('augments')
        if items is None:
            raise SystemExit(f'{path}: found neither model.mixers nor model.train_cfg.augments')
    if not isinstance(items, (list, tuple)):
        items = [items]
    scope = cfg.get('default_scope') or 'mmmix'
    out = []
    for item in items:
        cfg_item = dict(type=item) if isinstance(item, str) else dict(item)
        if str(cfg_item.get('type', '')).split('.')[-1].lower() == 'vanilla':
            continue
        with DefaultScope.overwrite_default_scope(scope):
            try:
                mixer = BATCH_AUGMENTS.build(cfg_item)
            except Exception as e:  # noqa: BLE001 (report and go on)
                warnings.warn(f'skipping {cfg_item}: {e}')
                continue
        if not isinstance(mixer, BaseMixer):
            warnings.warn(f'skipping {cfg_item}: {type(mixer).__name__} is not an mmmix mixer '
                          '(no lam/mask to show)')
            continue
        out.append((type(mixer).__name__, mixer))
    return out


# ---------------------------------------------------------------- drawing
def make_grid_figure(mixer, images: torch.Tensor, out_path: str, title: Optional[str] = None,
                     seed: int = 0, dpi: int = 100,
                     class_names: Optional[Sequence[str]] = None) -> Dict:
    """Mix ``images`` (``[N,3,H,W]`` in ``[0,1]``, N >= 2) once with ``mixer``
    and write a PNG with one row per sample: source A, its partner B, the
    mixed image and the mask of A (white = A), ``lam`` in the row titles.
    ``class_names`` (one per image) puts each source's class in its title and the
    label shares of the mix under the mixed image.

    Returns ``dict(path=out_path, lam=[...], index=[...], titles=[[...] per row])``.
    """
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    x = images.detach().float().cpu()
    if x.dim() != 4 or x.shape[0] < 2:
        raise ValueError(f'images must be [N>=2, C, H, W], got {tuple(x.shape)}')
    if class_names is not None and len(class_names) != x.shape[0]:
        raise ValueError(f'class_names has {len(class_names)} entries for {x.shape[0]} images; '
                         'give one name per image')
    result = mixer.sample(x.clone(), generator=torch.Generator().manual_seed(seed),
                          with_mask=True)
    n, _, h, w = x.shape
    index = result.index.cpu()
    lam = result.lam.cpu()
    if result.mask is not None:
        mask = result.mask.cpu().float()[:, 0]
    else:  # pixel-wise methods (Mixup): the weight of A is lam everywhere
        mask = lam.view(-1, 1, 1).expand(n, h, w)

    def show(ax, img, label):
        if img.dim() == 3:
            img = img.permute(1, 2, 0)
            if img.shape[-1] == 1:
                img = img[..., 0]
        cmap = 'gray' if img.dim() == 2 else None
        ax.imshow(img.clamp(0, 1).numpy(), cmap=cmap, vmin=0, vmax=1, interpolation='nearest')
        ax.set_title(label, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])

    def named(k):
        return f'x[{k}]' if class_names is None else f'x[{k}]: {class_names[k]}'

    name = title or type(mixer).__name__
    fig, axes = plt.subplots(n, 4, figsize=(4 * 2.2, n * 2.4 + 0.5), squeeze=False)
    for i in range(n):
        j = int(index[i])
        show(axes[i, 0], x[i], f'A = {named(i)}')
        show(axes[i, 1], x[j], f'B = {named(j)}')
        show(axes[i, 2], result.inputs[i].float().cpu(), f'mixed, lam={float(lam[i]):.3f}')
        if class_names is not None:
            share = float(lam[i])
            axes[i, 2].set_xlabel(f'{share:.2f} {class_names[i]} + {1 - share:.2f} '
                                  f'{class_names[j]}', fontsize=8)
        show(axes[i, 3], mask[i], f'mask of A (mean {float(mask[i].mean()):.3f})')
    fig.suptitle(f'{name}: lam = share of A (white in mask)', fontsize=11)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    fig.savefig(out_path, dpi=dpi)
    titles = [[ax.get_title() for ax in row] for row in axes]
    plt.close(fig)
    return dict(path=out_path, lam=[float(v) for v in lam], index=index.tolist(),
                titles=titles)


# -------------------------------------------------------------------- CLI
def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Visualise mmmix mixers (one PNG per method).')
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--config', help='mmengine config: MixupClassifier.mixers or '
                     'model.train_cfg.augments')
    src.add_argument('--mixers', nargs='+', help='mixer names, e.g. Mixup CutMix FMix')
    p.add_argument('--alpha', type=float, default=1.0, help='Beta alpha for --mixers')
    p.add_argument('--lam-mode', default='elem', choices=['batch', 'elem'],
                   help='lam mode for --mixers (elem: one lam per row)')
    imgs = p.add_mutually_exclusive_group()
    imgs.add_argument('--images', help='a folder of images')
    imgs.add_argument('--data-root', help='an mmpretrain CustomDataset-style folder')
    p.add_argument('--ann-file', default='meta/train.txt', help='with --data-root')
    p.add_argument('--data-prefix', default='train', help='with --data-root')
    p.add_argument('--num', type=int, default=4, help='rows (images) per figure, >= 2')
    p.add_argument('--size', type=int, default=128, help='images are resized to size x size')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out-dir', default='work_dirs/vis_mixup')
    return p.parse_args(argv)


def main(argv=None) -> List[Dict]:
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    if args.num < 2:
        raise SystemExit('--num must be at least 2 (a mixer needs partners)')
    if args.config:
        mixers = mixers_from_config(args.config)
    else:
        mixers = mixers_from_names(args.mixers, args.alpha, args.lam_mode)
    if not mixers:
        raise SystemExit('no mmmix mixer to draw')
    names = None
    if args.images:
        images = folder_images(args.images, args.num, args.size)
    elif args.data_root:
        classes = config_classes(args.config) if args.config else None
        images, names = dataset_samples(args.data_root, args.ann_file, args.data_prefix,
                                        args.num, args.size, args.seed, classes)
    else:
        images = procedural_images(args.num, args.size, args.seed)
    outputs = []
    seen: Dict[str, int] = {}
    for name, mixer in mixers:
        seen[name] = seen.get(name, 0) + 1
        stem = name if seen[name] == 1 else f'{name}_{seen[name]}'
        out = make_grid_figure(mixer, images, osp.join(args.out_dir, f'{stem}.png'),
                               title=repr(mixer), seed=args.seed, class_names=names)
        print(f"{out['path']}: lam={[round(v, 3) for v in out['lam']]}")
        outputs.append(out)
    return outputs


if __name__ == '__main__':
    main()
