"""Procedurally generated data sets, so that nothing has to be downloaded.

Two kinds of data, both fully determined by a seed:

* **classification** (:func:`generate_classification`): one shape per image
  (the class) on a cluttered, textured background, written in mmpretrain's
  ``CustomDataset`` layout, together with each image's binary foreground mask
  (so the true semantic share of each class in a mixed image can be computed);
* **detection** (:func:`generate_detection`): 1 to 4 non-overlapping shapes per
  image with boxes and polygon instance masks, written both in the Pascal VOC
  layout read by the stock ``mmdet.datasets.VOCDataset`` and in the COCO layout
  read by the stock ``mmdet.datasets.CocoDataset``.

Every image has its own random generator, seeded by
``(seed, kind, split, index)``: an image does not depend on how many others are
generated, and the same seed gives byte-identical annotation files and
identical pixel arrays.

Pixel convention: a pixel ``(x, y)`` covers the continuous square
``[x, x + 1) x [y, y + 1)``. Shapes are polygons in these continuous
coordinates; they are rasterised with 4x supersampling and alpha-composited, and
the foreground (instance) mask is ``alpha >= 0.5``. A box is the tight box of
its mask, ``x1 = min column``, ``x2 = max column + 1`` (exclusive).
"""
from __future__ import annotations

import json
import os
import os.path as osp
import shutil
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw

from .coco_semi import write_semi_splits

FORMAT_VERSION = 1

SPLITS = ('train', 'val', 'test')
_SPLIT_CODE = {'train': 0, 'val': 1, 'test': 2}
_KIND_CODE = {'cls': 1, 'det': 2}

#: Base shapes of the classification data, one class each.
CLS_SHAPES = ('disc', 'square', 'triangle', 'ring', 'cross', 'star', 'hexagon',
              'bars', 'ellipse', 'diamond')
#: Classes 10..19 are the same shapes filled with two-colour stripes.
MAX_CLS_CLASSES = 2 * len(CLS_SHAPES)

#: Detection classes: ``(VOC class name, shape)``. ``mmdet.datasets.VOCDataset``
#: knows only the 20 Pascal VOC class names, so the synthetic shapes borrow the
#: first VOC names; they are in VOC order, so the label of a class is the same
#: with the stock 20-class metainfo and with ``metainfo=dict(classes=<first K>)``.
DET_CLASS_SHAPES = (('aeroplane', 'star'), ('bicycle', 'disc'), ('bird', 'triangle'),
                    ('boat', 'square'), ('bottle', 'hexagon'), ('bus', 'cross'),
                    ('car', 'diamond'), ('cat', 'ellipse'))

CLS_DEFAULTS = dict(num_classes=10, img_size=32, num_train=500, num_val=100, num_test=100)
DET_DEFAULTS = dict(num_classes=5, img_size=64, num_train=400, num_val=100, num_test=100)

_SUPERSAMPLE = 4
_DISC_VERTICES = 48


# ---------------------------------------------------------------------------
# class names
# ---------------------------------------------------------------------------
def classification_classes(num_classes: int = 10) -> Tuple[str, ...]:
    """Class names of the classification data: the base shapes, then
    ``striped_<shape>`` for classes 10 and above."""
    if not 2 <= num_classes <= MAX_CLS_CLASSES:
        raise ValueError(f'num_classes must be in [2, {MAX_CLS_CLASSES}], got {num_classes}')
    names = list(CLS_SHAPES) + [f'striped_{s}' for s in CLS_SHAPES]
    return tuple(names[:num_classes])


def detection_classes(num_classes: int = 5) -> Tuple[str, ...]:
    """Class names (Pascal VOC names) of the detection data."""
    if not 1 <= num_classes <= len(DET_CLASS_SHAPES):
        raise ValueError(
            f'num_classes must be in [1, {len(DET_CLASS_SHAPES)}], got {num_classes}')
    return tuple(name for name, _ in DET_CLASS_SHAPES[:num_classes])


def sample_rng(seed: int, kind: str, split: str, index: int) -> np.random.Generator:
    """The generator of image ``index`` of ``split`` (``kind`` is ``'cls'`` or
    ``'det'``): ``render_*_sample(sample_rng(...), ...)`` reproduces that image."""
    if kind not in _KIND_CODE or split not in _SPLIT_CODE:
        raise ValueError(f'kind must be one of {tuple(_KIND_CODE)} and split one of {SPLITS}, '
                         f'got {kind!r}, {split!r}')
    return np.random.default_rng([seed, _KIND_CODE[kind], _SPLIT_CODE[split], index])


# ---------------------------------------------------------------------------
# shapes: lists of (polygon [V,2] in continuous pixel coordinates, fill 0/1)
# ---------------------------------------------------------------------------
def _ngon(n: int, r: float, phase: float = 0.0) -> np.ndarray:
    t = phase + 2 * np.pi * np.arange(n) / n
    return np.stack([r * np.cos(t), r * np.sin(t)], axis=1)


def _rect(half_w: float, half_h: float, dy: float = 0.0) -> np.ndarray:
    return np.array([[-half_w, dy - half_h], [half_w, dy - half_h],
                     [half_w, dy + half_h], [-half_w, dy + half_h]])


def _local_shape(shape: str, r: float, rng: np.random.Generator) -> List[Tuple[np.ndarray, int]]:
    """Polygons of ``shape`` with circumradius about ``r``, centred at 0,
    unrotated. ``rng`` draws shape-specific proportions."""
    if shape == 'disc':
        return [(_ngon(_DISC_VERTICES, r), 1)]
    if shape == 'ellipse':
        b = r * rng.uniform(0.4, 0.55)
        return [(_ngon(_DISC_VERTICES, 1.0) * [r, b], 1)]
    if shape == 'ring':
        inner = r * rng.uniform(0.5, 0.6)
        return [(_ngon(_DISC_VERTICES, r), 1), (_ngon(_DISC_VERTICES, inner), 0)]
    if shape == 'square':
        return [(_rect(0.8 * r, 0.8 * r), 1)]
    if shape == 'diamond':
        return [(np.array([[0, -r], [0.55 * r, 0], [0, r], [-0.55 * r, 0]]), 1)]
    if shape == 'triangle':
        return [(_ngon(3, r, -np.pi / 2), 1)]
    if shape == 'hexagon':
        return [(_ngon(6, 0.95 * r), 1)]
    if shape == 'star':
        pts = _ngon(10, 1.0, -np.pi / 2)
        radii = np.where(np.arange(10) % 2 == 0, r, r * rng.uniform(0.4, 0.5))
        return [(pts * radii[:, None], 1)]
    if shape == 'cross':
        w, length = r * rng.uniform(0.26, 0.34), r
        pts = [(w, -length), (w, -w), (length, -w), (length, w), (w, w), (w, length),
               (-w, length), (-w, w), (-length, w), (-length, -w), (-w, -w), (-w, -length)]
        return [(np.array(pts, dtype=float), 1)]
    if shape == 'bars':
        half_h = r * 0.15
        return [(_rect(0.9 * r, half_h, dy), 1) for dy in (-0.6 * r, 0.0, 0.6 * r)]
    raise ValueError(f'unknown shape {shape!r}; valid: {CLS_SHAPES}')


#: Shapes that look like another class when rotated freely get a limited range.
_MAX_ROTATION = {'square': np.pi / 12, 'diamond': np.pi / 9}


def _place(polys: List[Tuple[np.ndarray, int]], cx: float, cy: float,
           theta: float) -> List[Tuple[np.ndarray, int]]:
    c, s = np.cos(theta), np.sin(theta)
    rot = np.array([[c, s], [-s, c]])  # row vectors: p @ rot
    return [(p @ rot + [cx, cy], fill) for p, fill in polys]


def _random_rotation(shape: str, rng: np.random.Generator) -> float:
    limit = _MAX_ROTATION.get(shape, np.pi)
    return float(rng.uniform(-limit, limit))


def rasterize(polys: Sequence[Tuple[np.ndarray, int]], height: int, width: int,
              supersample: int = _SUPERSAMPLE) -> np.ndarray:
    """Anti-aliased coverage ``[H,W]`` float32 in ``[0,1]`` of polygons drawn in
    order (fill 1 adds, fill 0 cuts a hole)."""
    s = supersample
    canvas = Image.new('L', (width * s, height * s), 0)
    draw = ImageDraw.Draw(canvas)
    for pts, fill in polys:
        # PIL's integer coordinate k is the centre of supersampled pixel k,
        # i.e. continuous coordinate (k + 0.5) / s.
        xy = (np.asarray(pts, dtype=float) * s - 0.5).ravel().tolist()
        draw.polygon(xy, fill=255 if fill else 0)
    # exact box average of the 0/255 supersampled coverage
    return np.asarray(canvas.convert('F').reduce(s), dtype=np.float32) / 255.0


# ---------------------------------------------------------------------------
# backgrounds and compositing
# ---------------------------------------------------------------------------
def _random_color(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, size=3)


def _lerp(c1: np.ndarray, c2: np.ndarray, t: np.ndarray) -> np.ndarray:
    return c1 + (c2 - c1) * t[..., None]


def _texture(rng: np.random.Generator, height: int, width: int, period_scale: float) -> np.ndarray:
    """A ``[H,W]`` field in ``[0,1]``: gradient, stripes, smooth noise or checks."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32) + 0.5
    angle = rng.uniform(0, np.pi)
    proj = xx * np.cos(angle) + yy * np.sin(angle)
    kind = rng.integers(4)
    if kind == 0:  # linear gradient
        return (proj - proj.min()) / max(float(np.ptp(proj)), 1e-6)
    if kind == 1:  # stripes
        period = rng.uniform(3.0, 9.0) * period_scale
        return 0.5 + 0.5 * np.sin(2 * np.pi * proj / period + rng.uniform(0, 2 * np.pi))
    if kind == 2:  # smooth value noise: a coarse grid upsampled bicubically
        cells = int(rng.integers(3, 8))
        coarse = (rng.uniform(0, 255, size=(cells, cells))).astype(np.uint8)
        up = Image.fromarray(coarse).resize((width, height), Image.BICUBIC)
        return np.asarray(up, dtype=np.float32) / 255.0
    # checkerboard
    cell = rng.uniform(3.0, 8.0) * period_scale
    ortho = -xx * np.sin(angle) + yy * np.cos(angle)
    return ((np.floor(proj / cell) + np.floor(ortho / cell)) % 2).astype(np.float32)


def rasterize_layers(layers: Sequence[Tuple[Sequence[Tuple[np.ndarray, int]], np.ndarray]],
                     height: int, width: int, supersample: int = _SUPERSAMPLE
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """Anti-aliased rendering of coloured polygon groups drawn in order (later
    ones occlude earlier ones) in one pass. Returns the premultiplied colour
    ``[H,W,3]`` and the coverage ``[H,W]``; composite with
    ``img * (1 - alpha) + color``."""
    s = supersample
    color = Image.new('RGB', (width * s, height * s), 0)
    cover = Image.new('L', (width * s, height * s), 0)
    draw_c, draw_a = ImageDraw.Draw(color), ImageDraw.Draw(cover)
    for polys, rgb in layers:
        rgb = tuple(int(v) for v in np.clip(np.rint(rgb), 0, 255))
        for pts, fill in polys:
            if not fill:
                raise ValueError('rasterize_layers draws filled polygons only')
            xy = (np.asarray(pts, dtype=float) * s - 0.5).ravel().tolist()
            draw_c.polygon(xy, fill=rgb)
            draw_a.polygon(xy, fill=255)
    # the colour canvas is black where nothing is drawn, so its box average is
    # the premultiplied colour (rounded to uint8 levels)
    alpha = np.asarray(cover.convert('F').reduce(s), dtype=np.float32) / 255.0
    return np.asarray(color.reduce(s), dtype=np.float32), alpha


def _background(rng: np.random.Generator, height: int, width: int,
                blob_radius: Tuple[float, float], num_blobs: Tuple[int, int]) -> np.ndarray:
    """Textured ``[H,W,3]`` float background with small distractor blobs (discs,
    squares, strokes) of radius ``blob_radius`` pixels, ``num_blobs`` of them
    (inclusive range)."""
    scale = min(height, width) / 32.0
    c1, c2 = _random_color(rng), _random_color(rng)
    # keep the texture contrast moderate so the foreground stays findable
    c2 = c1 + (c2 - c1) * rng.uniform(0.15, 0.5)
    img = _lerp(c1, c2, _texture(rng, height, width, scale))
    layers = []
    for _ in range(int(rng.integers(num_blobs[0], num_blobs[1] + 1))):
        r = rng.uniform(*blob_radius)
        kind = rng.integers(3)
        if kind == 0:
            polys = [(_ngon(12, r), 1)]
        elif kind == 1:
            polys = [(_rect(r, r), 1)]
        else:
            polys = [(_rect(2.5 * r, 0.35 * r), 1)]
        polys = _place(polys, rng.uniform(0, width), rng.uniform(0, height),
                       rng.uniform(-np.pi, np.pi))
        layers.append((polys, _random_color(rng)))
    premult, alpha = rasterize_layers(layers, height, width)
    return img * (1 - alpha[..., None]) + premult


def _foreground_color(rng: np.random.Generator, reference: np.ndarray,
                      min_distance: float = 120.0) -> np.ndarray:
    """A random colour at least ``min_distance`` (RGB euclidean) from ``reference``
    (best of 20 draws when none is far enough)."""
    best, best_d = None, -1.0
    for _ in range(20):
        c = _random_color(rng)
        d = float(np.linalg.norm(c - reference))
        if d >= min_distance:
            return c
        if d > best_d:
            best, best_d = c, d
    return best


def _composite(img: np.ndarray, alpha: np.ndarray, fill: np.ndarray) -> np.ndarray:
    return img * (1 - alpha[..., None]) + fill * alpha[..., None]


def _object_fill(rng: np.random.Generator, alpha: np.ndarray, color: np.ndarray,
                 center: Tuple[float, float], r: float, striped: bool) -> np.ndarray:
    """``[H,W,3]`` fill of an object: its colour with soft shading, or two-colour
    stripes when ``striped``."""
    h, w = alpha.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    angle = rng.uniform(0, 2 * np.pi)
    proj = ((xx - center[0]) * np.cos(angle) + (yy - center[1]) * np.sin(angle)) / max(r, 1.0)
    shade = 1.0 + rng.uniform(0.0, 0.25) * np.clip(proj, -1, 1)
    fill = color * shade[..., None]
    if striped:
        other = _foreground_color(rng, color, min_distance=120.0)
        period = max(2.5, r * rng.uniform(0.5, 0.7))
        stripe_angle = rng.uniform(0, np.pi)
        t = (xx * np.cos(stripe_angle) + yy * np.sin(stripe_angle)) / period
        stripes = (np.floor(t + rng.uniform(0, 1)) % 2).astype(np.float32)
        fill = _lerp(fill, other, stripes)
    return fill


def _finish(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Add pixel noise and convert to ``uint8``."""
    sigma = rng.uniform(2.0, 8.0)
    img = img + rng.normal(0.0, sigma, size=img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


# ---------------------------------------------------------------------------
# samples in memory
# ---------------------------------------------------------------------------
#: default object radius range, as a fraction of the image size
OBJECT_SCALE = (0.3, 0.45)


def render_classification_sample(rng: np.random.Generator, label: int, img_size: int = 32,
                                 num_classes: int = 10,
                                 object_scale: Sequence[float] = OBJECT_SCALE
                                 ) -> Tuple[np.ndarray, np.ndarray]:
    """One classification image ``[H,W,3] uint8`` (RGB) and its foreground mask
    ``[H,W] bool`` for class ``label``; the object's radius is drawn from
    ``object_scale`` (fractions of the image size) and its centre anywhere the
    object stays mostly inside the image."""
    names = classification_classes(num_classes)
    if not 0 <= label < num_classes:
        raise ValueError(f'label must be in [0, {num_classes}), got {label}')
    shape = names[label].replace('striped_', '')
    striped = names[label].startswith('striped_')
    h = w = img_size
    img = _background(rng, h, w, blob_radius=(0.025 * img_size, 0.075 * img_size),
                      num_blobs=(1, 4))
    r = rng.uniform(*object_scale) * img_size
    margin = 0.85 * r
    cx, cy = rng.uniform(margin, w - margin), rng.uniform(margin, h - margin)
    polys = _place(_local_shape(shape, r, rng), cx, cy, _random_rotation(shape, rng))
    alpha = rasterize(polys, h, w)
    color = _foreground_color(rng, img.reshape(-1, 3).mean(axis=0))
    img = _composite(img, alpha, _object_fill(rng, alpha, color, (cx, cy), r, striped))
    return _finish(rng, img), alpha >= 0.5


def render_detection_sample(rng: np.random.Generator, img_size: int = 64,
                            num_classes: int = 5, max_objects: int = 4
                            ) -> Tuple[np.ndarray, List[dict]]:
    """One detection image ``[H,W,3] uint8`` (RGB) and its instances, each a dict
    with ``label``, ``bbox`` (``[x1,y1,x2,y2]`` ints, x2/y2 exclusive),
    ``mask`` (``[H,W] bool``), ``polygon`` (flat ``[x0,y0,x1,y1,...]`` in
    continuous pixel coordinates) and ``area`` (mask pixel count).

    Objects do not overlap (their boxes are at least 1 pixel apart), so every
    mask is the full shape and its polygon is exact.
    """
    detection_classes(num_classes)  # validates
    h = w = img_size
    # distractors stay well below the smallest object (radius 0.08 * img_size)
    img = _background(rng, h, w, blob_radius=(0.012 * img_size, 0.035 * img_size),
                      num_blobs=(3, 10))
    mean_bg = img.reshape(-1, 3).mean(axis=0)
    n_objects = int(rng.integers(1, max_objects + 1))
    placed: List[Tuple[float, float, float, float]] = []
    instances = []
    for _ in range(n_objects):
        label = int(rng.integers(num_classes))
        shape = DET_CLASS_SHAPES[label][1]
        for _attempt in range(30):
            r = rng.uniform(0.08, 0.2) * img_size
            cx, cy = rng.uniform(r + 1, w - r - 1), rng.uniform(r + 1, h - r - 1)
            rough = (cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1)
            if all(rough[2] <= q[0] or q[2] <= rough[0] or rough[3] <= q[1] or q[3] <= rough[1]
                   for q in placed):
                break
        else:
            continue  # no room left for this object
        placed.append(rough)
        polys = _place(_local_shape(shape, r, rng), cx, cy, _random_rotation(shape, rng))
        assert all(fill == 1 for _, fill in polys), 'detection shapes have no holes'
        alpha = rasterize(polys, h, w)
        mask = alpha >= 0.5
        color = _foreground_color(rng, mean_bg)
        img = _composite(img, alpha, _object_fill(rng, alpha, color, (cx, cy), r, False))
        ys, xs = np.nonzero(mask)
        instances.append(dict(
            label=label,
            bbox=[int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1],
            mask=mask,
            polygon=[round(float(v), 2) for v in polys[0][0].ravel()],
            area=int(mask.sum())))
    return _finish(rng, img), instances


# ---------------------------------------------------------------------------
# writing to disk
# ---------------------------------------------------------------------------
def _write_text(path: str, text: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)


def _write_json(path: str, obj, compact: bool = False) -> None:
    text = json.dumps(obj, sort_keys=True, **(dict(separators=(',', ':')) if compact
                                              else dict(indent=1)))
    _write_text(path, text + '\n')


def read_params(out_dir: str) -> Optional[dict]:
    """The parameters stored in ``out_dir/meta/params.json`` (None if absent)."""
    path = osp.join(out_dir, 'meta', 'params.json')
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def classification_params(num_classes: int = 10, img_size: int = 32, num_train: int = 500,
                          num_val: int = 100, num_test: int = 100, seed: int = 0,
                          object_scale: Sequence[float] = OBJECT_SCALE) -> dict:
    """The ``meta/params.json`` content :func:`generate_classification` writes
    (validates the arguments). ``object_scale`` is recorded only when it is not
    the default, so data sets written before it existed keep their params."""
    classification_classes(num_classes)
    _check_counts(num_train=num_train, num_val=num_val, num_test=num_test)
    if int(img_size) != img_size or img_size < 8:
        raise ValueError(f'img_size must be an integer >= 8, got {img_size!r}')
    scale = [float(v) for v in object_scale]
    if len(scale) != 2 or not 0.05 <= scale[0] <= scale[1] <= 0.5:
        raise ValueError('object_scale must be (low, high) radius fractions with '
                         f'0.05 <= low <= high <= 0.5, got {object_scale!r}')
    params = dict(kind='cls', format_version=FORMAT_VERSION, num_classes=int(num_classes),
                  img_size=int(img_size), num_train=int(num_train), num_val=int(num_val),
                  num_test=int(num_test), seed=int(seed))
    if tuple(scale) != OBJECT_SCALE:
        params['object_scale'] = scale
    return params


def detection_params(num_train: int = 400, num_val: int = 100, num_test: int = 100,
                     img_size: int = 64, num_classes: int = 5, seed: int = 0) -> dict:
    """The ``meta/params.json`` content :func:`generate_detection` writes
    (validates the arguments)."""
    detection_classes(num_classes)
    _check_counts(num_train=num_train, num_val=num_val, num_test=num_test)
    if int(img_size) != img_size or img_size < 32:
        raise ValueError(f'img_size must be an integer >= 32 for detection, got {img_size!r}')
    return dict(kind='det', format_version=FORMAT_VERSION, num_classes=int(num_classes),
                img_size=int(img_size), num_train=int(num_train), num_val=int(num_val),
                num_test=int(num_test), seed=int(seed))


def _check_counts(**counts: int) -> None:
    for name, n in counts.items():
        if int(n) != n or n < 0:
            raise ValueError(f'{name} must be a non-negative integer, got {n!r}')


def _clear(out_dir: str, entries: Sequence[str]) -> None:
    for name in entries:
        path = osp.join(out_dir, name)
        if osp.isdir(path):
            shutil.rmtree(path)


def generate_classification(out_dir: str, num_classes: int = 10, img_size: int = 32,
                            num_train: int = 500, num_val: int = 100, num_test: int = 100,
                            seed: int = 0, object_scale: Sequence[float] = OBJECT_SCALE,
                            progress=None) -> dict:
    """Write the classification data set to ``out_dir``.

    ``num_train/num_val/num_test`` are images **per class**. Layout (mmpretrain
    ``CustomDataset`` with ``data_root=out_dir, ann_file='meta/<split>.txt',
    data_prefix='<split>'``)::

        out_dir/{train,val,test}/<NNNNN>.png      RGB images
        out_dir/masks/{train,val,test}/<NNNNN>.png  foreground masks (L, 0/255)
        out_dir/meta/{train,val,test}.txt         '<NNNNN>.png <label>' per line
        out_dir/meta/classes.txt                  one class name per line
        out_dir/meta/params.json                  the generation parameters

    Image ``i`` of a split has label ``i % num_classes``; ``object_scale`` is
    the objects' radius range (fractions of ``img_size``; the default objects
    span most of the image, smaller ones leave room to place two apart).
    Existing split folders are replaced. ``progress(split, done, total)`` is
    called now and then.
    Returns a summary dict (parameters, ``counts[split][class]``).
    """
    params = classification_params(num_classes, img_size, num_train, num_val, num_test, seed,
                                   object_scale)
    classes = classification_classes(num_classes)
    per_class = dict(train=num_train, val=num_val, test=num_test)
    _clear(out_dir, ('meta', 'masks') + SPLITS)
    counts = {}
    for split in SPLITS:
        total = per_class[split] * num_classes
        img_dir, mask_dir = osp.join(out_dir, split), osp.join(out_dir, 'masks', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(mask_dir, exist_ok=True)
        lines = []
        for i in range(total):
            label = i % num_classes
            img, mask = render_classification_sample(
                sample_rng(seed, 'cls', split, i), label, img_size, num_classes, object_scale)
            name = f'{i:05d}.png'
            Image.fromarray(img).save(osp.join(img_dir, name))
            Image.fromarray(mask.astype(np.uint8) * 255).save(osp.join(mask_dir, name))
            lines.append(f'{name} {label}\n')
            if progress is not None and ((i + 1) % 500 == 0 or i + 1 == total):
                progress(split, i + 1, total)
        _write_text(osp.join(out_dir, 'meta', f'{split}.txt'), ''.join(lines))
        counts[split] = {c: per_class[split] for c in classes}
    _write_text(osp.join(out_dir, 'meta', 'classes.txt'), ''.join(c + '\n' for c in classes))
    _write_json(osp.join(out_dir, 'meta', 'params.json'), params)
    return dict(params=params, classes=classes, counts=counts, out_dir=out_dir)


def ensure_classification(out_dir: str, progress=None, **params) -> str:
    """Generate the classification data in ``out_dir`` unless its
    ``meta/params.json`` already records the same ``params`` (the keyword
    arguments of :func:`generate_classification`). Returns ``'reused'`` or
    ``'generated'``."""
    if read_params(out_dir) == classification_params(**params):
        return 'reused'
    generate_classification(out_dir, progress=progress, **params)
    return 'generated'


def load_foreground_masks(root: str, split: str = 'train') -> Tuple[np.ndarray, np.ndarray]:
    """Foreground masks ``[N,H,W] bool`` and labels ``[N] int64`` of a
    classification split, in the order of ``meta/<split>.txt``."""
    ann = osp.join(root, 'meta', f'{split}.txt')
    names, labels = [], []
    with open(ann, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                name, label = line.rsplit(maxsplit=1)
                names.append(name)
                labels.append(int(label))
    masks = [np.asarray(Image.open(osp.join(root, 'masks', split, n))) > 127 for n in names]
    if not masks:
        return np.zeros((0, 0, 0), dtype=bool), np.zeros((0,), dtype=np.int64)
    return np.stack(masks), np.asarray(labels, dtype=np.int64)


def _voc_xml(image_id: str, img_size: int, instances: List[dict], classes: Sequence[str]) -> str:
    """Pascal VOC annotation. VOC boxes are 1-based inclusive pixel indices:
    ``xmin = x1 + 1``, ``xmax = x2`` for our exclusive 0-based ``[x1, x2)``."""
    objects = []
    for inst in instances:
        x1, y1, x2, y2 = inst['bbox']
        objects.append(
            '\t<object>\n'
            f'\t\t<name>{classes[inst["label"]]}</name>\n'
            '\t\t<pose>Unspecified</pose>\n'
            '\t\t<truncated>0</truncated>\n'
            '\t\t<difficult>0</difficult>\n'
            '\t\t<bndbox>\n'
            f'\t\t\t<xmin>{x1 + 1}</xmin>\n\t\t\t<ymin>{y1 + 1}</ymin>\n'
            f'\t\t\t<xmax>{x2}</xmax>\n\t\t\t<ymax>{y2}</ymax>\n'
            '\t\t</bndbox>\n'
            '\t</object>\n')
    return ('<annotation>\n'
            '\t<folder>VOC2007</folder>\n'
            f'\t<filename>{image_id}.jpg</filename>\n'
            '\t<source>\n\t\t<database>mmmix synthetic shapes</database>\n\t</source>\n'
            '\t<size>\n'
            f'\t\t<width>{img_size}</width>\n\t\t<height>{img_size}</height>\n'
            '\t\t<depth>3</depth>\n'
            '\t</size>\n'
            '\t<segmented>0</segmented>\n'
            + ''.join(objects) + '</annotation>\n')


def generate_detection(out_dir: str, num_train: int = 400, num_val: int = 100,
                       num_test: int = 100, img_size: int = 64, num_classes: int = 5,
                       seed: int = 0, progress=None) -> dict:
    """Write the detection data set to ``out_dir`` (counts are images).

    Layout::

        out_dir/VOCdevkit/VOC2007/JPEGImages/<split>_<NNNNN>.jpg
        out_dir/VOCdevkit/VOC2007/Annotations/<split>_<NNNNN>.xml
        out_dir/VOCdevkit/VOC2007/ImageSets/Main/{train,val,trainval,test}.txt
        out_dir/coco/{train,val,test}/<split>_<NNNNN>.jpg    (same images)
        out_dir/coco/annotations/instances_{train,val,test}.json  (test only if num_test)
        out_dir/coco/semi_anns/instances_train.1@{1,5,10}[-unlabeled].json
        out_dir/meta/classes.txt, out_dir/meta/params.json

    Class names are Pascal VOC names (see :data:`DET_CLASS_SHAPES`). COCO
    category ids are ``label + 1``; segmentations are single polygons.
    ``semi_anns`` holds the partial-label splits of the train set (fold 1) that
    the SoftTeacher twins read (:func:`mmmix.datasets.coco_semi.split_coco_semi`).
    Returns a summary dict (parameters, image and instance counts per split).
    """
    params = detection_params(num_train, num_val, num_test, img_size, num_classes, seed)
    classes = detection_classes(num_classes)
    sizes = dict(train=num_train, val=num_val, test=num_test)
    _clear(out_dir, ('meta', 'VOCdevkit', 'coco'))
    voc = osp.join(out_dir, 'VOCdevkit', 'VOC2007')
    for sub in ('JPEGImages', 'Annotations', osp.join('ImageSets', 'Main')):
        os.makedirs(osp.join(voc, sub), exist_ok=True)
    categories = [dict(id=i + 1, name=c, supercategory='shape') for i, c in enumerate(classes)]
    ids_per_split: Dict[str, List[str]] = {}
    summary: Dict[str, dict] = {}
    for split in SPLITS:
        n = sizes[split]
        ids, images, annotations = [], [], []
        per_class = {c: 0 for c in classes}
        if n or split != 'test':
            os.makedirs(osp.join(out_dir, 'coco', split), exist_ok=True)
        for i in range(n):
            img, instances = render_detection_sample(
                sample_rng(seed, 'det', split, i), img_size, num_classes)
            image_id = f'{split}_{i:05d}'
            ids.append(image_id)
            jpg = Image.fromarray(img)
            jpg.save(osp.join(voc, 'JPEGImages', image_id + '.jpg'), quality=95)
            jpg.save(osp.join(out_dir, 'coco', split, image_id + '.jpg'), quality=95)
            _write_text(osp.join(voc, 'Annotations', image_id + '.xml'),
                        _voc_xml(image_id, img_size, instances, classes))
            images.append(dict(id=i + 1, file_name=image_id + '.jpg',
                               width=img_size, height=img_size))
            for inst in instances:
                x1, y1, x2, y2 = inst['bbox']
                per_class[classes[inst['label']]] += 1
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=i + 1, category_id=inst['label'] + 1,
                    bbox=[x1, y1, x2 - x1, y2 - y1], area=inst['area'], iscrowd=0,
                    segmentation=[inst['polygon']]))
            if progress is not None and ((i + 1) % 200 == 0 or i + 1 == n):
                progress(split, i + 1, n)
        ids_per_split[split] = ids
        if n or split != 'test':
            _write_json(osp.join(out_dir, 'coco', 'annotations', f'instances_{split}.json'),
                        dict(images=images, annotations=annotations, categories=categories,
                             info=dict(description='mmmix synthetic shapes', version='1')),
                        compact=True)
        summary[split] = dict(images=n, instances=len(annotations), per_class=per_class)
    main = osp.join(voc, 'ImageSets', 'Main')
    for name, members in (('train', ['train']), ('val', ['val']),
                          ('trainval', ['train', 'val']), ('test', ['test'])):
        _write_text(osp.join(main, f'{name}.txt'),
                    ''.join(f'{i}\n' for s in members for i in ids_per_split[s]))
    if num_train:
        write_semi_splits(osp.join(out_dir, 'coco', 'annotations', 'instances_train.json'),
                          osp.join(out_dir, 'coco', 'semi_anns'))
    _write_text(osp.join(out_dir, 'meta', 'classes.txt'), ''.join(c + '\n' for c in classes))
    _write_json(osp.join(out_dir, 'meta', 'params.json'), params)
    return dict(params=params, classes=classes, counts=summary, out_dir=out_dir)


def ensure_detection(out_dir: str, progress=None, **params) -> str:
    """Generate the detection data in ``out_dir`` unless its
    ``meta/params.json`` already records the same ``params`` (keyword
    arguments of :func:`generate_detection`) and its partial-label splits
    exist. Returns ``'reused'`` or ``'generated'``."""
    semi = osp.join(out_dir, 'coco', 'semi_anns', 'instances_train.1@10.json')
    if read_params(out_dir) == detection_params(**params) and osp.isfile(semi):
        return 'reused'
    generate_detection(out_dir, progress=progress, **params)
    return 'generated'
