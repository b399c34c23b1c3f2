"""The semantic-ratio experiment: how well does each estimate of a mixed
sample's class share follow the share of the *objects* it really shows?

    python tools/analysis/semantic_ratio.py [--config CFG] [--work-dir DIR]
        [--epochs N | --checkpoint CKPT] [--mixer CutMix] [--alpha 1.0]
        [--lam-mode elem] [--split test] [--rounds 20] [--seed 0] ...

Steps:

1. make (or reuse, when ``meta/params.json`` matches) the synthetic
   classification data, whose images carry each image's foreground mask;
2. train the config's model with mmengine's Runner (default: the width-16
   ResNet-18 with CutMix and the SUMix head,
   ``configs/analysis/resnet18-w16_cutmix-sumix_synthetic.py``), or load
   ``--checkpoint`` and skip training;
3. on the held-out split, mix ``--rounds`` shuffled passes of batches with
   ``--mixer`` and compare three estimates of the share of ``y_a`` against the
   TRUE semantic share computed from the foreground masks;
4. print a table and write ``semantic_ratio.json``, ``semantic_ratio.md`` and
   a scatter plot to the work dir. The same ``--seed`` gives the same numbers.

Definitions (per mixed sample ``i`` with partner ``j = index[i]``; ``m`` is the
mixer's mask, the pixel weight of ``x_i``; ``fg_i`` the foreground mask of
``x_i``; ``T(fg_j)`` the partner's foreground in the frame it is pasted in:
``fg_j`` itself for every mixer that pastes the partner at the same pixels,
the partner's foreground shrunk into the box for ResizeMix)::

    s_a = sum(fg_i * m) / sum(fg_i)                visible share of x_i's object
    s_b = sum(T(fg_j) * (1 - m)) / sum(T(fg_j))    visible share of the partner's object
    semantic lam = s_a / (s_a + s_b)

Estimates of the share of ``y_a``:

(a) ``area lam``: the ``lam`` the mixer reports (the share of pixels of x_i);
(b) ``SUMix lam'``: :func:`~mmmix.models.losses.functional.sumix_alpha` and
    :func:`~mmmix.models.losses.functional.sumix_lam` on the trained model's
    clean and mixed softmax predictions, with the ``scale`` of the config's
    ``SUMixLoss`` (``--scale`` overrides);
(c) ``prediction ratio``: ``p(y_a) / (p(y_a) + p(y_b))`` of the mixed image.

Exclusions (counted, in this order): same-class pairs (``y_a == y_b``, which
includes a sample paired with itself), pairs where an image has no
foreground pixel, and pairs where neither object is visible
(``s_a = s_b = 0``, semantic lam undefined). The share of pairs whose pasted
patch misses the partner's object entirely (``s_b = 0``) or fully covers
x_i's object (``s_a = 0``) is reported over the different-class pairs with
foreground (before the last exclusion). A share counts as 0 below
:data:`ZERO_TOL`.

The model runs in eval mode (BN running statistics) on the data
preprocessor's normalised inputs, exactly the tensors a mixer sees in
training. The importable core is :func:`semantic_shares`,
:func:`exclusions`, :func:`partner_in_frame`, :func:`mix_records`,
:func:`summarize` and :func:`analyse`.

Data without foreground masks (e.g. CIFAR-10; ``--no-foreground``, chosen
automatically when ``--data-root`` exists and holds neither ``masks/`` nor the
generator's ``meta/params.json``): there is no true semantic share, so the
tool mixes the split as above and relates the three estimates to each other,
over the different-class mixed samples (same-class pairs excluded)::

    python tools/analysis/semantic_ratio.py \
        --config configs/cifar10_jpeg/resnet18-w16_cutmix-sumix_cifar10-jpeg-2k.py \
        --checkpoint work_dirs/cifar10_bench/cutmix-sumix_s0/epoch_100.pth \
        --data-root data/cifar10-jpeg --ann-file meta/test.txt --mixer CutMix \
        --rounds 2 --work-dir work_dirs/semantic_ratio_cifar10

(``--rounds 2``: the 10,000 test images mixed twice; the default 20 rounds
suit the small synthetic split.)

* MAE, mean difference (estimate - reference), Pearson and Spearman r of
  SUMix's ``lam'`` and of the prediction ratio against the area ``lam``, and
  of the area ``lam`` and ``lam'`` against the prediction ratio
  (:func:`analyse_without_foreground`); the mean difference of ``lam'``
  against ``lam`` is the mean ``lam' - lam``;
* :func:`movement`: the share of samples where ``lam'`` moves from ``lam``
  toward the prediction ratio, away from it, or not at all, and where it ends
  closer to the ratio than ``lam``;
* the model's clean top-1 on the list, the same output files (the scatter
  plot: ``lam'`` against ``lam``, ``lam'`` against the ratio, the ratio
  against ``lam``).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, Optional, Sequence

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor  # noqa: E402

DEFAULT_CONFIG = osp.join(ROOT, 'configs', 'analysis',
                          'resnet18-w16_cutmix-sumix_synthetic.py')
#: the data of ``make demo`` (images per class), so both tools share one copy
DATA_DEFAULTS = dict(num_classes=10, img_size=32, num_train=200, num_val=50, num_test=50,
                     seed=0)
#: a visible share at or below this counts as 0 ("object not visible")
ZERO_TOL = 1e-6
#: largest pixel error allowed when re-composing a mixed batch from its mask
RECON_TOL = 1e-4
#: a SUMix shift |lam' - lam| at or below this counts as "unchanged"
MOVE_TOL = 1e-6
ESTIMATES = ('area_lam', 'sumix_lam', 'pred_ratio')
LABELS = {
    'area_lam': 'area lam (mixer)',
    'sumix_lam': "SUMix lam'",
    'pred_ratio': 'prediction ratio p_a/(p_a+p_b)',
    'constant_half': 'constant 0.5 (reference)',
}


def log(msg):
    print(f'[semantic_ratio {time.strftime("%H:%M:%S")}] {msg}', flush=True)


# ---------------------------------------------------------------------------
# the semantic share and the exclusion rules
# ---------------------------------------------------------------------------
def semantic_shares(fg_a: Tensor, fg_b: Tensor, mask: Tensor,
                    zero_tol: float = ZERO_TOL) -> Dict[str, Tensor]:
    """Visible object shares of a batch of mixed samples (float64 ``[N]`` each).

    Args:
        fg_a: ``[N,H,W]`` foreground (0/1 or soft) of each ``x_i``.
        fg_b: ``[N,H,W]`` foreground of its partner in the frame the partner is
            pasted in (see :func:`partner_in_frame`).
        mask: ``[N,H,W]`` or ``[N,1,H,W]`` pixel weight of ``x_i``.

    Returns a dict with ``area_a``/``area_b`` (object sizes), ``vis_a``/``vis_b``
    (visible object pixels), ``s_a = vis_a / area_a``, ``s_b = vis_b / area_b``
    (NaN where the object is empty), ``lam_sem = s_a / (s_a + s_b)`` (NaN where
    both are at most ``zero_tol`` or undefined) and ``lam_px = vis_a / (vis_a +
    vis_b)``, the share of visible object *pixels* (a secondary definition).
    """
    if mask.dim() == 4:
        mask = mask[:, 0]
    fg_a, fg_b, mask = (t.detach().to('cpu', torch.float64) for t in (fg_a, fg_b, mask))
    if not fg_a.shape == fg_b.shape == mask.shape or fg_a.dim() != 3:
        raise ValueError(f'fg_a, fg_b and mask must all be [N,H,W], got {tuple(fg_a.shape)}, '
                         f'{tuple(fg_b.shape)}, {tuple(mask.shape)}')
    area_a, area_b = fg_a.sum((1, 2)), fg_b.sum((1, 2))
    vis_a, vis_b = (fg_a * mask).sum((1, 2)), (fg_b * (1 - mask)).sum((1, 2))
    nan = torch.tensor(float('nan'), dtype=torch.float64)
    s_a = torch.where(area_a > 0, vis_a / area_a.clamp(min=1e-12), nan)
    s_b = torch.where(area_b > 0, vis_b / area_b.clamp(min=1e-12), nan)
    total = s_a + s_b
    lam_sem = torch.where(total > 2 * zero_tol, s_a / total.clamp(min=1e-12), nan)
    vis = vis_a + vis_b
    lam_px = torch.where(vis > 0, vis_a / vis.clamp(min=1e-12), nan)
    return dict(area_a=area_a, area_b=area_b, vis_a=vis_a, vis_b=vis_b, s_a=s_a, s_b=s_b,
                lam_sem=lam_sem, lam_px=lam_px)


def exclusions(y_a: Tensor, y_b: Tensor, s_a: Tensor, s_b: Tensor,
               zero_tol: float = ZERO_TOL) -> Dict[str, Tensor]:
    """Boolean ``[N]`` masks of the exclusion rules, applied in order:

    * ``same_class``: ``y_a == y_b`` (also a sample paired with itself);
    * ``no_foreground``: different classes, but an image has no foreground
      (``s_a`` or ``s_b`` is NaN);
    * ``both_hidden``: neither object is visible (``s_a, s_b <= zero_tol``);
    * ``evaluated``: everything else;
    * ``pairs``: different classes with foreground (``evaluated | both_hidden``),
      the population of ``b_missed`` (``s_b <= zero_tol``) and ``a_covered``
      (``s_a <= zero_tol``).
    """
    same = (y_a.cpu() == y_b.cpu())
    no_fg = ~same & (torch.isnan(s_a) | torch.isnan(s_b))
    pairs = ~same & ~no_fg
    a_zero = pairs & (s_a <= zero_tol)
    b_zero = pairs & (s_b <= zero_tol)
    both = a_zero & b_zero
    return dict(same_class=same, no_foreground=no_fg, both_hidden=both,
                evaluated=pairs & ~both, pairs=pairs, a_covered=a_zero, b_missed=b_zero)


# ---------------------------------------------------------------------------
# where the partner lands in the mixed image
# ---------------------------------------------------------------------------
def _box_of_zeros(mask2d: Tensor):
    """``(y1, y2, x1, x2)`` of the rectangle where ``mask2d`` is 0."""
    rows = torch.nonzero((mask2d < 0.5).any(1)).flatten()
    cols = torch.nonzero((mask2d < 0.5).any(0)).flatten()
    if rows.numel() == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def partner_in_frame(mixer, src: Tensor, index: Tensor, mask: Tensor) -> Tensor:
    """``T(src[index])``: the partner rows of ``src`` ``[N,C,H,W]`` (images or
    foregrounds) as the mixer draws them into the mixed image.

    Every mixer pastes the partner at the same pixels (``T`` = identity), except
    :class:`~mmmix.mixers.ResizeMix`, which shrinks the whole partner into the
    box where ``mask`` is 0 (the result is 0 outside the box there).
    :func:`check_composition` verifies this model on every mixed batch.
    """
    from mmmix.mixers import ResizeMix
    part = src.index_select(0, index.to(src.device))
    if not isinstance(mixer, ResizeMix):
        return part
    kw = dict(mode=mixer.interpolation)
    if mixer.interpolation != 'nearest':
        kw['align_corners'] = False
    out = torch.zeros_like(part)
    m = mask[:, 0] if mask.dim() == 4 else mask
    for i in range(part.shape[0]):  # the box size differs per sample in 'elem' mode
        box = _box_of_zeros(m[i])
        if box is None:
            continue
        y1, y2, x1, x2 = box
        out[i:i + 1, :, y1:y2, x1:x2] = F.interpolate(part[i:i + 1], size=(y2 - y1, x2 - x1),
                                                      **kw)
    return out


def check_composition(mixer, clean: Tensor, result) -> float:
    """Largest pixel error of ``mask * x + (1 - mask) * T(x[index])`` against
    the mixed batch; raises when it exceeds :data:`RECON_TOL` (the mixer then
    moves pixels in a way :func:`partner_in_frame` does not model, and the
    semantic share would be wrong)."""
    mask = result.mask.to(clean.dtype)
    recon = mask * clean + (1 - mask) * partner_in_frame(mixer, clean, result.index, mask)
    err = float((recon - result.inputs).abs().max())
    if not err <= RECON_TOL:
        raise RuntimeError(
            f'{type(mixer).__name__}: the mixed batch differs from mask * x + (1 - mask) * '
            f'partner by {err:.3g} (> {RECON_TOL}); this tool models only mixers that paste '
            'the partner at the same pixels, and ResizeMix')
    return err


# ---------------------------------------------------------------------------
# estimates
# ---------------------------------------------------------------------------
def prediction_ratio(p_m: Tensor, y_a: Tensor, y_b: Tensor) -> Tensor:
    """``p(y_a) / (p(y_a) + p(y_b))`` of the mixed predictions ``p_m`` ``[N,C]``."""
    pa = p_m.gather(1, y_a.view(-1, 1)).squeeze(1)
    pb = p_m.gather(1, y_b.view(-1, 1)).squeeze(1)
    return pa / (pa + pb).clamp(min=1e-30)


def sumix_estimate(lam: Tensor, p_o: Tensor, p_m: Tensor, y_a: Tensor, y_b: Tensor,
                   index: Tensor, scale: float) -> Tensor:
    """SUMix's re-estimated share ``lam'``, computed with the library's own
    :func:`sumix_alpha` / :func:`sumix_lam` (clean ``p_o`` and mixed ``p_m``
    probabilities of one batch, ``index`` into that batch)."""
    from mmmix.models.losses.functional import sumix_alpha, sumix_lam
    alpha_a, alpha_b = sumix_alpha(p_o, p_m, y_a, y_b, index, scale=scale)
    return sumix_lam(lam.to(alpha_a.dtype), alpha_a, alpha_b, y_a, y_b)


@torch.no_grad()
def predict_logits(model, inputs: Tensor, batch_size: int = 256) -> Tensor:
    """Logits ``[N,C]`` (float64) of ``model`` (eval mode) on normalised inputs."""
    out = []
    for chunk in inputs.split(batch_size):
        out.append(model.head(model.extract_feat(chunk)).double())
    return torch.cat(out)


@torch.no_grad()
def mix_records(model, inputs: Tensor, labels: Tensor, fg: Tensor, mixer, rounds: int,
                batch_size: int, scale: float, generator: torch.Generator,
                extra_scales: Sequence[float] = ()) -> Dict[str, Tensor]:
    """Mix ``rounds`` shuffled passes over the images and collect one record
    per mixed sample (each a tensor ``[M]``): labels, the semantic shares of
    :func:`semantic_shares`, and the estimates ``area_lam``, ``sumix_lam``
    (``sumix_lam@<s>`` for each extra scale) and ``pred_ratio``.

    ``inputs`` ``[N,C,H,W]`` normalised images, ``labels`` ``[N]``, ``fg``
    ``[N,H,W]`` their foreground masks, or None for data without them (then
    the records hold no semantic shares); the model must be in eval mode.
    """
    if mixer.requires:
        raise ValueError(f'{type(mixer).__name__} needs {mixer.requires} from the model; '
                         'this tool runs mixers that need nothing')
    n = inputs.shape[0]
    if n < 2:
        raise ValueError(f'need at least 2 images to mix, got {n}')
    p_clean = torch.softmax(predict_logits(model, inputs), 1)
    if fg is not None:
        fg = fg.to(inputs.dtype)
    records = []
    max_err = 0.
    for _ in range(rounds):
        order = torch.randperm(n, generator=generator)
        for ids in order.split(batch_size):
            if ids.numel() < 2:
                continue
            clean = inputs[ids]
            result = mixer.sample(clean.clone(), generator=generator, with_mask=True)
            if result.mask is None:
                raise ValueError(f'{type(mixer).__name__} returned no mask; choose a mixer '
                                 'that returns one')
            max_err = max(max_err, check_composition(mixer, clean, result))
            index = result.index.cpu()
            y_a = labels[ids]
            y_b = y_a[index]
            shares = {}
            if fg is not None:
                fg_b = partner_in_frame(mixer, fg[ids][:, None], index, result.mask)[:, 0]
                shares = semantic_shares(fg[ids], fg_b, result.mask)
            p_m = torch.softmax(predict_logits(model, result.inputs), 1)
            p_o = p_clean[ids]
            lam = result.lam.detach().cpu().double()
            rec = dict(y_a=y_a, y_b=y_b, area_lam=lam,
                       sumix_lam=sumix_estimate(lam, p_o, p_m, y_a, y_b, index, scale),
                       pred_ratio=prediction_ratio(p_m, y_a, y_b),
                       pred_a=p_m.argmax(1) == y_a, **shares)
            for s in extra_scales:
                rec[f'sumix_lam@{s:g}'] = sumix_estimate(lam, p_o, p_m, y_a, y_b, index, s)
            records.append(rec)
    out = {k: torch.cat([r[k] for r in records]) for k in records[0]}
    out['clean_correct'] = (p_clean.argmax(1) == labels)
    out['max_composition_error'] = torch.tensor(max_err)
    return out


# ---------------------------------------------------------------------------
# statistics
# ---------------------------------------------------------------------------
def _finite_or_none(v: float) -> Optional[float]:
    v = float(v)
    return v if v == v and abs(v) != float('inf') else None


def _pearson(x: Tensor, y: Tensor) -> float:
    x, y = x - x.mean(), y - y.mean()
    den = float(x.norm() * y.norm())
    return float((x * y).sum()) / den if den > 0 else float('nan')


def _ranks(x: Tensor) -> Tensor:
    """Average ranks of ``x`` (tied values share their mean rank)."""
    sorted_x, order = torch.sort(x, stable=True)
    _, group, counts = torch.unique_consecutive(sorted_x, return_inverse=True,
                                                return_counts=True)
    position = torch.arange(x.numel(), dtype=torch.float64)
    mean_rank = torch.zeros(counts.numel(), dtype=torch.float64).index_add_(0, group, position)
    mean_rank /= counts.to(torch.float64)
    ranks = torch.empty(x.numel(), dtype=torch.float64)
    ranks[order] = mean_rank[group]
    return ranks


def summarize(target: Tensor, estimates: Dict[str, Tensor]) -> Dict[str, dict]:
    """Per estimate: ``mae`` (mean absolute error against ``target``), ``bias``
    (mean signed error), ``pearson`` and ``spearman`` correlation with the
    target (None when undefined), ``mean`` of the estimate; ``n`` samples."""
    target = target.double()
    out = {}
    for name, est in estimates.items():
        est = est.double()
        err = est - target
        out[name] = dict(
            mae=_finite_or_none(err.abs().mean()) if err.numel() else None,
            bias=_finite_or_none(err.mean()) if err.numel() else None,
            pearson=_finite_or_none(_pearson(est, target)) if err.numel() > 1 else None,
            spearman=(_finite_or_none(_pearson(_ranks(est), _ranks(target)))
                      if err.numel() > 1 else None),
            mean=_finite_or_none(est.mean()) if err.numel() else None,
            n=int(err.numel()))
    return out


def analyse(records: Dict[str, Tensor], zero_tol: float = ZERO_TOL) -> dict:
    """Counts, exclusion shares and the statistics of every estimate against
    the semantic share (and, secondary, against the visible-pixel share)."""
    ex = exclusions(records['y_a'], records['y_b'], records['s_a'], records['s_b'], zero_tol)
    keep = ex['evaluated']
    pairs = int(ex['pairs'].sum())
    names = [k for k in records if k in ESTIMATES or k.startswith('sumix_lam@')]
    estimates = {k: records[k][keep] for k in names}
    target = records['lam_sem'][keep]
    estimates['constant_half'] = torch.full_like(target, 0.5)
    px_target = records['lam_px'][keep]

    def frac(mask):
        return dict(count=int(mask.sum()), fraction=(int(mask.sum()) / pairs) if pairs else None)

    return dict(
        counts=dict(mixed=int(records['y_a'].numel()),
                    same_class=int(ex['same_class'].sum()),
                    no_foreground=int(ex['no_foreground'].sum()),
                    both_hidden=int(ex['both_hidden'].sum()),
                    different_class_pairs=pairs,
                    evaluated=int(keep.sum())),
        partner_object_missed=frac(ex['b_missed']),
        own_object_covered=frac(ex['a_covered']),
        semantic_share=dict(mean=_finite_or_none(target.mean()) if target.numel() else None,
                            std=_finite_or_none(target.std()) if target.numel() > 1 else None),
        vs_semantic_share=summarize(target, estimates),
        vs_pixel_share=summarize(px_target, estimates),
        mixed_top1_is_y_a=_finite_or_none(records['pred_a'][keep].double().mean())
        if keep.any() else None,
    )


def movement(lam: Tensor, lam_new: Tensor, ratio: Tensor, tol: float = MOVE_TOL) -> dict:
    """Where SUMix moves the share, relative to the prediction ratio: per
    sample ``shift = lam' - lam`` and ``gap = ratio - lam``; ``unchanged``:
    ``|shift| <= tol``; ``toward``: moved in the direction of the ratio
    (``shift * gap > 0``); ``away``: moved otherwise (against it, or off a
    ratio equal to ``lam``). ``closer``: ``|lam' - ratio| < |lam - ratio|``
    (``toward`` without overshooting past twice the gap). Counts and
    fractions over the samples."""
    shift, gap = lam_new - lam, ratio - lam
    moved = shift.abs() > tol
    toward = moved & (shift * gap > 0)
    away = moved & ~toward
    closer = (lam_new - ratio).abs() < (lam - ratio).abs()
    n = int(lam.numel())

    def frac(mask):
        return dict(count=int(mask.sum()), fraction=int(mask.sum()) / n if n else None)
    return dict(toward=frac(toward), away=frac(away), unchanged=frac(~moved),
                closer=frac(closer), n=n, tol=tol)


def analyse_without_foreground(records: Dict[str, Tensor], tol: float = MOVE_TOL) -> dict:
    """The no-foreground mode's statistics over the different-class mixed
    samples (same-class pairs excluded: there ``lam'`` and the prediction
    ratio carry no share): each estimate against the area ``lam`` and
    against the prediction ratio (:func:`summarize`: ``mae``, ``bias`` =
    mean of estimate - reference, ``pearson``, ``spearman``, ``mean``), the
    :func:`movement` of SUMix's ``lam'`` relative to the prediction ratio,
    and how often the mixed image's top-1 is ``y_a``."""
    keep = records['y_a'] != records['y_b']
    sumix = [k for k in records if k == 'sumix_lam' or k.startswith('sumix_lam@')]
    lam, ratio = records['area_lam'][keep], records['pred_ratio'][keep]
    vs_area = summarize(lam, {k: records[k][keep] for k in sumix + ['pred_ratio']})
    vs_ratio = {k: records[k][keep] for k in ['area_lam'] + sumix}
    vs_ratio['constant_half'] = torch.full_like(ratio, 0.5)
    return dict(
        counts=dict(mixed=int(keep.numel()), same_class=int((~keep).sum()),
                    evaluated=int(keep.sum())),
        area_lam=dict(mean=_finite_or_none(lam.mean()) if keep.any() else None,
                      std=_finite_or_none(lam.std()) if int(keep.sum()) > 1 else None),
        vs_area_lam=vs_area,
        vs_pred_ratio=summarize(ratio, vs_ratio),
        sumix_movement={k: movement(lam, records[k][keep], ratio, tol) for k in sumix},
        mixed_top1_is_y_a=_finite_or_none(records['pred_a'][keep].double().mean())
        if keep.any() else None,
    )


# ---------------------------------------------------------------------------
# data, model, reporting
# ---------------------------------------------------------------------------
def ensure_data(root: str, params: dict) -> str:
    """Generate the synthetic classification data in ``root`` unless its
    ``meta/params.json`` already holds ``params``. Returns 'reused' or 'generated'."""
    from mmmix.datasets import ensure_classification
    return ensure_classification(
        root, progress=lambda s, d, t: log(f'  {s}: {d}/{t} images'), **params)


def load_config(args):
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    cfg.work_dir = args.work_dir
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(part):
            cfg[part].dataset.data_root = args.data_root
    if args.epochs:
        old = cfg.train_cfg.max_epochs
        cfg.train_cfg.max_epochs = args.epochs
        scheds = cfg.get('param_scheduler') or []
        scheds = scheds if isinstance(scheds, (list, tuple)) else [scheds]
        kept = []
        for sched in scheds:  # stretch or cut the schedule to the new length
            if sched.get('end') == old or sched.get('end', 0) > args.epochs:
                sched.end = args.epochs
            if sched.get('begin', 0) < sched.get('end', args.epochs):
                kept.append(sched)
        cfg.param_scheduler = kept or None
    cfg.randomness = dict(seed=args.seed, deterministic=False)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    return cfg


def config_scale(cfg) -> Optional[float]:
    """The ``scale`` of the config's SUMixLoss (its default when not stated),
    or None when the head has no SUMixLoss."""
    from mmmix.models.losses import SUMixLoss
    from mmmix.registry import MODELS
    mix_loss = cfg.model.get('head', {}).get('mix_loss')
    if not mix_loss:
        return None
    cls = MODELS.get(mix_loss['type'])
    if not (isinstance(cls, type) and issubclass(cls, SUMixLoss)):
        return None
    return float(mix_loss.get('scale', SUMixLoss().scale))


def build_model(cfg, checkpoint: Optional[str]):
    import copy

    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmmix.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmmix'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor))
    model = MODELS.build(model_cfg)
    if checkpoint:
        try:  # strict: a checkpoint of another model must not pass as a random init
            load_checkpoint(model, checkpoint, map_location='cpu', strict=True,
                            logger='silent')
        except RuntimeError as e:
            raise ValueError(f'--checkpoint {checkpoint} does not fit the model of the config '
                             f'({type(model).__name__}): {e}') from None
    else:  # quietly: init_weights logs one line per parameter
        from mmengine.logging import MMLogger
        logger = MMLogger.get_current_instance()
        level = logger.level
        logger.setLevel('WARNING')
        try:
            model.init_weights()
        finally:
            logger.setLevel(level)
    return model


@torch.no_grad()
def load_split(model, cfg, data_root: str, split: str, ann_file: Optional[str] = None,
               with_foreground: bool = True):
    """Normalised inputs ``[N,C,H,W]``, labels ``[N]`` and foreground masks
    ``[N,H,W]`` (bool; None without ``with_foreground``) of ``split``, through
    the config's ``{split}_dataloader`` dataset (test pipeline) and the
    model's data preprocessor. ``ann_file`` (default ``meta/{split}.txt``)
    lists the images; they lie under ``data_root/{split}``."""
    import copy

    from mmmix.datasets import load_foreground_masks
    from mmmix.registry import DATASETS
    loader = cfg.get(f'{split}_dataloader') or cfg.get('test_dataloader')
    ds_cfg = copy.deepcopy(loader.dataset)
    ds_cfg.update(data_root=data_root, ann_file=ann_file or f'meta/{split}.txt',
                  data_prefix=split)
    dataset = DATASETS.build(ds_cfg)
    inputs, labels = [], []
    for start in range(0, len(dataset), 500):  # in chunks: bounded peak memory
        items = [dataset[i] for i in range(start, min(start + 500, len(dataset)))]
        data = model.data_preprocessor(dict(inputs=[it['inputs'] for it in items],
                                            data_samples=[it['data_samples'] for it in items]),
                                       training=False)
        inputs.append(data['inputs'].float())
        labels += [ds.gt_label.reshape(-1)[:1] for ds in data['data_samples']]
    if not inputs:
        raise ValueError(f'{data_root}: no images listed in {ds_cfg.ann_file}')
    inputs, labels = torch.cat(inputs), torch.cat(labels).long()
    if not with_foreground:
        return inputs, labels, None
    masks, mask_labels = load_foreground_masks(data_root, split)
    fg = torch.from_numpy(masks)
    if fg.shape != (inputs.shape[0], *inputs.shape[2:]) or \
            not torch.equal(torch.from_numpy(mask_labels), labels):
        raise RuntimeError(f'{data_root} {split}: the foreground masks {tuple(fg.shape)} do not '
                           f'line up with the images {tuple(inputs.shape)} (order or labels)')
    return inputs, labels, fg


def has_foreground(data_root: str) -> bool:
    """Whether ``data_root`` is (or will be) the synthetic data with foreground
    masks: it does not exist yet (the tool generates it), or it holds a
    ``masks/`` folder or the generator's ``meta/params.json``. A data root of
    real images (e.g. CIFAR-10) has neither."""
    return (not osp.isdir(data_root) or osp.isdir(osp.join(data_root, 'masks'))
            or osp.isfile(osp.join(data_root, 'meta', 'params.json')))


def build_mixer(name: str, alpha: float, lam_mode: str, options: Optional[dict]):
    from mmmix.mixers import BaseMixer
    from mmmix.registry import BATCH_AUGMENTS
    valid = sorted(k for k, v in BATCH_AUGMENTS.module_dict.items()
                   if isinstance(v, type) and issubclass(v, BaseMixer) and v.has_mask
                   and not v.requires)
    cls = BATCH_AUGMENTS.get(name)
    if not (isinstance(cls, type) and issubclass(cls, BaseMixer)) or name.split('.')[-1] \
            not in valid:
        raise ValueError(f'--mixer {name!r}: choose a mixer that returns a mask and needs '
                         f'nothing from the model, one of {valid}')
    return BATCH_AUGMENTS.build(dict(type=name, alpha=alpha, lam_mode=lam_mode,
                                     **(options or {})))


def _fmt(v, spec='.3f'):
    return 'n/a' if v is None else format(v, spec)


def table_rows(stats: dict, scale: float, mixer_name: str):
    rows = []
    for key, st in stats.items():
        if key == 'sumix_lam':
            label = f"SUMix lam' (scale {scale:g})"
        elif key.startswith('sumix_lam@'):
            label = f"SUMix lam' (scale {key.split('@')[1]})"
        elif key == 'area_lam':
            label = f'area lam ({mixer_name})'
        else:
            label = LABELS[key]
        rows.append((label, _fmt(st['mae']), _fmt(st['bias'], '+.3f'), _fmt(st['pearson']),
                     _fmt(st['spearman']), _fmt(st['mean'])))
    return rows


HEADER = ('estimate of the share of y_a', 'MAE', 'bias', 'Pearson r', 'Spearman', 'mean')


def format_text(summary: dict) -> str:
    res = summary['results']
    c = res['counts']
    lines = [f"semantic-ratio experiment: {summary['mixer']} on the {summary['split']} split, "
             f"{summary['model']}",
             f"semantic share: mean {_fmt(res['semantic_share']['mean'])}, "
             f"std {_fmt(res['semantic_share']['std'])}; clean top-1 on the split "
             f"{summary['clean_top1']:.2f} %"]
    rows = table_rows(res['vs_semantic_share'], summary['scale'], summary['mixer_type'])
    widths = [max(len(r[i]) for r in rows + [HEADER]) for i in range(len(HEADER))]
    sep = '-' * (sum(widths) + 2 * (len(widths) - 1))
    lines += [sep, '  '.join(h.ljust(w) if i == 0 else h.rjust(w)
                             for i, (h, w) in enumerate(zip(HEADER, widths))), sep]
    for r in rows:
        lines.append('  '.join(v.ljust(w) if i == 0 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths))))
    lines += [sep,
              f"N evaluated = {c['evaluated']} of {c['mixed']} mixed samples; excluded: "
              f"{c['same_class']} same-class, {c['no_foreground']} without foreground, "
              f"{c['both_hidden']} with both objects hidden",
              f"of {c['different_class_pairs']} different-class pairs: partner's object missed "
              f"entirely (s_b = 0) {_pct(res['partner_object_missed'])}, x's object fully "
              f"covered (s_a = 0) {_pct(res['own_object_covered'])}"]
    return '\n'.join(lines)


def _pct(d):
    return 'n/a' if d['fraction'] is None else f"{100 * d['fraction']:.1f} % ({d['count']})"


def format_markdown(summary: dict) -> str:
    res = summary['results']
    c = res['counts']

    def md_table(stats):
        rows = table_rows(stats, summary['scale'], summary['mixer_type'])
        out = ['| ' + ' | '.join(HEADER) + ' |', '|' + '---|' + '---:|' * (len(HEADER) - 1)]
        out += ['| ' + ' | '.join(r) + ' |' for r in rows]
        return out

    lines = [
        '# Semantic-ratio experiment',
        '',
        f"Mixer `{summary['mixer']}` on the **{summary['split']}** split "
        f"({summary['num_images']} images, {summary['rounds']} rounds of batch "
        f"{summary['batch_size']}), seed {summary['seed']}.",
        f"Model: {summary['model']} from `{summary['config']}`"
        + (f", checkpoint `{summary['checkpoint']}`" if summary['checkpoint'] else '')
        + (f", trained {summary['epochs']} epochs in {summary['timing']['train_s']:.0f} s"
           if summary['timing'].get('train_s') else '')
        + f"; clean top-1 on the split {summary['clean_top1']:.2f} %.",
        '',
        f"Command: `{summary['command']}`",
        '',
        '## Against the semantic share',
        '',
        'Semantic share of `y_a`: `s_a / (s_a + s_b)` with `s_a` the visible share of '
        "x's object (`sum(fg_a * mask) / sum(fg_a)`) and `s_b` that of the partner's object "
        "(`sum(fg_b * (1 - mask)) / sum(fg_b)`, the partner's foreground taken in the frame "
        'it is pasted in). '
        f"Mean {_fmt(res['semantic_share']['mean'])}, std {_fmt(res['semantic_share']['std'])}.",
        '',
        *md_table(res['vs_semantic_share']),
        '',
        f"N = {c['evaluated']} of {c['mixed']} mixed samples. Excluded: {c['same_class']} "
        f"same-class pairs, {c['no_foreground']} without foreground, {c['both_hidden']} with "
        'both objects hidden (semantic share undefined).',
        '',
        f"Of the {c['different_class_pairs']} different-class pairs, the pasted patch misses "
        f"the partner's object entirely (`s_b = 0`) in {_pct(res['partner_object_missed'])} "
        f"and fully covers x's object (`s_a = 0`) in {_pct(res['own_object_covered'])}. "
        "The mixed image's top-1 is `y_a` in "
        + ('n/a' if res['mixed_top1_is_y_a'] is None else f"{100 * res['mixed_top1_is_y_a']:.1f} %")
        + ' of the evaluated samples.',
        '',
        '## Against the visible-pixel share (secondary definition)',
        '',
        '`sum(fg_a * mask) / (sum(fg_a * mask) + sum(fg_b * (1 - mask)))`: the share of '
        'visible object pixels, which counts a large object more than a small one.',
        '',
        *md_table(res['vs_pixel_share']),
        '',
        "SUMix lam' uses the library's `sumix_alpha` / `sumix_lam` on the eval-mode clean and "
        'mixed softmax predictions of one batch. MAE: mean absolute error; bias: mean of '
        '(estimate - target).',
        '',
    ]
    return '\n'.join(lines)


def plot_scatter(records: dict, keep: Tensor, out_png: str, scale: float, mixer_name: str):
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    target = records['lam_sem'][keep].numpy()
    keys = [('area_lam', f'area lam ({mixer_name})'),
            ('sumix_lam', f"SUMix lam' (scale {scale:g})"),
            ('pred_ratio', 'prediction ratio')]
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), sharey=True)
    for ax, (k, title) in zip(axes, keys):
        ax.scatter(target, records[k][keep].numpy(), s=3, alpha=0.25, lw=0)
        ax.plot([0, 1], [0, 1], 'k--', lw=1)
        ax.set(title=title, xlabel='semantic share of y_a', xlim=(-0.02, 1.02),
               ylim=(-0.02, 1.02))
        ax.grid(alpha=.3)
    axes[0].set_ylabel('estimate')
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


# ------------------------------------------- reporting without foreground masks
def nofg_rows(results: dict, scale: float, mixer_name: str):
    """Rows ``(estimate, reference, MAE, mean(estimate - reference), Pearson r,
    Spearman)`` of the no-foreground mode."""
    def label(key):
        if key == 'sumix_lam':
            return f"SUMix lam' (scale {scale:g})"
        if key.startswith('sumix_lam@'):
            return f"SUMix lam' (scale {key.split('@')[1]})"
        if key == 'area_lam':
            return f'area lam ({mixer_name})'
        return LABELS[key]
    rows = []
    for table, ref in (('vs_area_lam', 'area_lam'), ('vs_pred_ratio', 'pred_ratio')):
        for key, st in results[table].items():
            rows.append((label(key), label(ref), _fmt(st['mae']), _fmt(st['bias'], '+.3f'),
                         _fmt(st['pearson']), _fmt(st['spearman'])))
    return rows


NOFG_HEADER = ('estimate', 'against', 'MAE', 'mean difference', 'Pearson r', 'Spearman')


def _movement_line(key, mv):
    return (f"{key}: toward the prediction ratio {_pct(mv['toward'])}, away from it "
            f"{_pct(mv['away'])}, unchanged {_pct(mv['unchanged'])}; closer to it than lam "
            f"{_pct(mv['closer'])} (of {mv['n']})")


def format_text_nofg(summary: dict) -> str:
    res = summary['results']
    c = res['counts']
    rows = nofg_rows(res, summary['scale'], summary['mixer_type'])
    widths = [max(len(r[i]) for r in rows + [NOFG_HEADER]) for i in range(len(NOFG_HEADER))]
    sep = '-' * (sum(widths) + 2 * (len(widths) - 1))
    lines = [f"semantic-ratio experiment without foreground masks: {summary['mixer']} on "
             f"{summary['data_root']} {summary['ann_file']}, {summary['model']}; clean top-1 "
             f"{summary['clean_top1']:.2f} %",
             sep, '  '.join(h.ljust(w) if i < 2 else h.rjust(w)
                            for i, (h, w) in enumerate(zip(NOFG_HEADER, widths))), sep]
    for r in rows:
        lines.append('  '.join(v.ljust(w) if i < 2 else v.rjust(w)
                               for i, (v, w) in enumerate(zip(r, widths))))
    lines += [sep, f"N = {c['evaluated']} different-class of {c['mixed']} mixed samples "
              f"({c['same_class']} same-class excluded); area lam mean "
              f"{_fmt(res['area_lam']['mean'])}, std {_fmt(res['area_lam']['std'])}"]
    lines += [_movement_line(k, mv) for k, mv in res['sumix_movement'].items()]
    return '\n'.join(lines)


def format_markdown_nofg(summary: dict) -> str:
    res = summary['results']
    c = res['counts']
    rows = nofg_rows(res, summary['scale'], summary['mixer_type'])
    lines = [
        '# Semantic-ratio experiment (no foreground masks)',
        '',
        f"Mixer `{summary['mixer']}` on `{summary['ann_file']}` under `{summary['data_root']}` "
        f"({summary['num_images']} images, {summary['rounds']} rounds of batch "
        f"{summary['batch_size']}), seed {summary['seed']}.",
        f"Model: {summary['model']} from `{summary['config']}`"
        + (f", checkpoint `{summary['checkpoint']}`" if summary['checkpoint'] else '')
        + f"; clean top-1 on the list {summary['clean_top1']:.2f} %.",
        '',
        f"Command: `{summary['command']}`",
        '',
        'There is no true semantic share on this data: the table relates the estimates of the '
        "share of `y_a` to each other. Mean difference: mean of (estimate - reference); for "
        "SUMix lam' against the area lam it is the mean lam' - lam.",
        '',
        '| ' + ' | '.join(NOFG_HEADER) + ' |',
        '|---|---|' + '---:|' * (len(NOFG_HEADER) - 2),
        *['| ' + ' | '.join(r) + ' |' for r in rows],
        '',
        f"N = {c['evaluated']} different-class of {c['mixed']} mixed samples "
        f"({c['same_class']} same-class pairs excluded); their area lam has mean "
        f"{_fmt(res['area_lam']['mean'])}, std {_fmt(res['area_lam']['std'])}. "
        "The mixed image's top-1 is `y_a` in "
        + ('n/a' if res['mixed_top1_is_y_a'] is None else f"{100 * res['mixed_top1_is_y_a']:.1f} %")
        + ' of them.',
        '',
        "Where SUMix moves the share (shift = lam' - lam, gap = prediction ratio - lam; "
        f"unchanged: |shift| <= {MOVE_TOL:g}; toward: shift and gap of the same sign; closer: "
        "|lam' - ratio| < |lam - ratio|):",
        '',
        '| estimate | toward the ratio | away from it | unchanged | closer to it than lam |',
        '|---|---:|---:|---:|---:|',
    ]
    for key, mv in res['sumix_movement'].items():
        name = f"SUMix lam' (scale {summary['scale']:g})" if key == 'sumix_lam' else \
            f"SUMix lam' (scale {key.split('@')[1]})"
        lines.append(f"| {name} | {_pct(mv['toward'])} | {_pct(mv['away'])} | "
                     f"{_pct(mv['unchanged'])} | {_pct(mv['closer'])} |")
    lines += ['', "SUMix lam' uses the library's `sumix_alpha` / `sumix_lam` on the eval-mode "
              'clean and mixed softmax predictions of one batch.', '']
    return '\n'.join(lines)


def plot_scatter_nofg(records: dict, keep: Tensor, out_png: str, scale: float,
                      mixer_name: str):
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    lam_s = f"SUMix lam' (scale {scale:g})"
    panels = [('area_lam', 'sumix_lam', f'area lam ({mixer_name})', lam_s),
              ('pred_ratio', 'sumix_lam', 'prediction ratio', lam_s),
              ('area_lam', 'pred_ratio', f'area lam ({mixer_name})', 'prediction ratio')]
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    for ax, (kx, ky, lx, ly) in zip(axes, panels):
        ax.scatter(records[kx][keep].numpy(), records[ky][keep].numpy(), s=3, alpha=0.25, lw=0)
        ax.plot([0, 1], [0, 1], 'k--', lw=1)
        ax.set(xlabel=lx, ylabel=ly, xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
        ax.grid(alpha=.3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=110)
    plt.close(fig)


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=DEFAULT_CONFIG)
    p.add_argument('--work-dir', default=osp.join(ROOT, 'work_dirs', 'semantic_ratio'))
    p.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_cls'))
    g = p.add_argument_group('data (images per class; defaults: the make-demo data)')
    for key in ('num_classes', 'img_size', 'num_train', 'num_val', 'num_test'):
        g.add_argument('--' + key.replace('_', '-'), type=int, default=DATA_DEFAULTS[key])
    p.add_argument('--data-seed', type=int, default=DATA_DEFAULTS['seed'])
    t = p.add_argument_group('model')
    t.add_argument('--epochs', type=int, help="override the config's train_cfg.max_epochs")
    t.add_argument('--checkpoint', help='load these weights and skip training')
    t.add_argument('--cfg-options', nargs='+', action=DictAction)
    m = p.add_argument_group('mixing')
    m.add_argument('--mixer', default='CutMix',
                   help='CutMix, FMix, SaliencyMix, ResizeMix, GridMix, SmoothMix, ...')
    m.add_argument('--alpha', type=float, default=1.0,
                   help='Beta(alpha, alpha) of the mixer (1.0: uniform lam over the range)')
    m.add_argument('--lam-mode', choices=['elem', 'batch'], default='elem')
    m.add_argument('--mixer-options', nargs='+', action=DictAction,
                   help='further mixer keys, e.g. scope="(0.1,0.8)"')
    m.add_argument('--split', choices=['val', 'test'], default='test')
    m.add_argument('--ann-file',
                   help='image list of the split (default meta/<split>.txt); data without '
                        'foreground masks only')
    m.add_argument('--no-foreground', action='store_true',
                   help='data without foreground masks (e.g. CIFAR-10): relate the estimates '
                        'to each other instead of to the semantic share; chosen automatically '
                        'when --data-root exists and holds no masks/ nor meta/params.json')
    m.add_argument('--rounds', type=int, default=20,
                   help='shuffled passes over the split, each mixing every batch once')
    m.add_argument('--batch-size', type=int, default=32)
    m.add_argument('--scale', type=float,
                   help="SUMix scale (default: the config's SUMixLoss scale, else 100)")
    m.add_argument('--extra-scales', type=float, nargs='*', default=[],
                   help="also report SUMix lam' at these scales")
    p.add_argument('--seed', type=int, default=0, help='training and mixing seed')
    p.add_argument('--threads', type=int, default=1,
                   help='torch intra-op threads (default 1: a small model on a shared CPU '
                        'slows down badly when OpenMP threads compete; 0: torch default)')
    p.add_argument('--no-plot', action='store_true')
    return p.parse_args(argv)


def main(argv=None, return_records: bool = False):
    """Run the tool; returns the summary (and the per-sample records of
    :func:`mix_records` with ``return_records``)."""
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    t0 = time.time()
    if args.threads:
        torch.set_num_threads(args.threads)
    import mmmix  # noqa: F401  registers mmmix types and the checkpoint allowlist
    command = 'python ' + ' '.join([osp.relpath(__file__, ROOT)] + list(
        sys.argv[1:] if argv is None else argv))
    no_fg = args.no_foreground or not has_foreground(args.data_root)
    if no_fg and not osp.isdir(args.data_root):
        raise ValueError(f'--data-root {args.data_root}: no such folder (--no-foreground reads '
                         'existing images)')
    if args.ann_file and not no_fg:
        raise ValueError(f'--ann-file {args.ann_file}: only for data without foreground masks '
                         '(the synthetic data uses meta/<split>.txt, aligned with its masks)')
    os.makedirs(args.work_dir, exist_ok=True)

    if no_fg:
        params = None
        log(f'step 1/3: {args.data_root} has no foreground masks: SUMix lam\' is compared with '
            'the area lam and the prediction ratio (no semantic share)')
    else:
        params = dict(num_classes=args.num_classes, img_size=args.img_size,
                      num_train=args.num_train, num_val=args.num_val, num_test=args.num_test,
                      seed=args.data_seed)
        state = ensure_data(args.data_root, params)
        log(f'step 1/3: synthetic data {state} in {args.data_root}')

    cfg = load_config(args)
    head_classes = cfg.model.head.num_classes
    if not no_fg and args.num_classes > head_classes:
        raise ValueError(f'--num-classes {args.num_classes} exceeds the head of the config '
                         f'({head_classes} classes)')
    scale = args.scale if args.scale is not None else (config_scale(cfg) or 100.)
    timing = {}
    if args.checkpoint:
        log(f'step 2/3: loading {args.checkpoint} (no training)')
        model = build_model(cfg, args.checkpoint)
        checkpoint, epochs = args.checkpoint, None
    else:
        from mmengine.runner import Runner
        epochs = cfg.train_cfg.max_epochs
        log(f'step 2/3: training {osp.basename(args.config)} for {epochs} epochs '
            f'(logs in {args.work_dir})')
        runner = Runner.from_cfg(cfg)
        t = time.time()
        runner.train()
        timing['train_s'] = time.time() - t
        model = runner.model
        checkpoint = osp.join(args.work_dir, f'epoch_{epochs}.pth')
    model.eval()

    log(f'step 3/3: mixing the {args.split} split with {args.mixer} '
        f'({args.rounds} rounds, batch {args.batch_size})')
    t = time.time()
    inputs, labels, fg = load_split(model, cfg, args.data_root, args.split,
                                    ann_file=args.ann_file, with_foreground=not no_fg)
    mixer = build_mixer(args.mixer, args.alpha, args.lam_mode, args.mixer_options)
    gen = torch.Generator().manual_seed(args.seed)
    records = mix_records(model, inputs, labels, fg, mixer, args.rounds, args.batch_size,
                          scale, gen, extra_scales=args.extra_scales)
    results = analyse_without_foreground(records) if no_fg else analyse(records)
    timing['analysis_s'] = time.time() - t
    timing['total_s'] = time.time() - t0

    common = dict(
        command=command,
        config=osp.relpath(osp.abspath(args.config), ROOT),
        model=f'{type(model).__name__} + {type(model.backbone).__name__}',
        checkpoint=(osp.relpath(osp.abspath(checkpoint), ROOT) if checkpoint else None),
        epochs=epochs)
    run = dict(
        num_images=int(inputs.shape[0]), mixer=repr(mixer), mixer_type=type(mixer).__name__,
        rounds=args.rounds, batch_size=args.batch_size, seed=args.seed, scale=scale,
        extra_scales=list(args.extra_scales))
    clean_top1 = 100. * float(records['clean_correct'].double().mean())
    max_err = float(records['max_composition_error'])
    estimates = dict(
        area_lam='the lam the mixer reports',
        sumix_lam="sumix_lam(lam, *sumix_alpha(p_clean, p_mixed, y_a, y_b, index, scale))",
        pred_ratio='p_mixed(y_a) / (p_mixed(y_a) + p_mixed(y_b))')
    if no_fg:
        summary = dict(
            mode='no_foreground', **common, data_root=args.data_root,
            ann_file=args.ann_file or f'meta/{args.split}.txt', split=args.split, **run,
            move_tol=MOVE_TOL, clean_top1=clean_top1, max_composition_error=max_err,
            definitions=dict(
                **estimates,
                mean_difference='mean of (estimate - reference) over the different-class '
                                'samples',
                toward="lam' - lam of the same sign as pred_ratio - lam (|lam' - lam| > "
                       'move_tol)',
                away="|lam' - lam| > move_tol and not toward",
                closer="|lam' - pred_ratio| < |lam - pred_ratio|"),
            results=results, timing=timing)
        text = format_text_nofg(summary)
        markdown = format_markdown_nofg(summary)
    else:
        summary = dict(
            **common, data_root=args.data_root, data_params=params, split=args.split, **run,
            zero_tol=ZERO_TOL, clean_top1=clean_top1, max_composition_error=max_err,
            definitions=dict(
                s_a='sum(fg_a * mask) / sum(fg_a): visible share of x_i\'s object',
                s_b='sum(T(fg_b) * (1 - mask)) / sum(T(fg_b)): visible share of the '
                    'partner\'s object, in the frame it is pasted in',
                semantic_share='s_a / (s_a + s_b)',
                pixel_share='sum(fg_a * mask) / (sum(fg_a * mask) + sum(T(fg_b) * '
                            '(1 - mask)))',
                **estimates),
            results=results,
            timing=timing)
        text = format_text(summary)
        markdown = format_markdown(summary)
    print('\n' + text, flush=True)
    with open(osp.join(args.work_dir, 'semantic_ratio.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    with open(osp.join(args.work_dir, 'semantic_ratio.md'), 'w') as f:
        f.write(markdown)
    if not args.no_plot:
        png = osp.join(args.work_dir, 'semantic_ratio.png')
        if no_fg:
            plot_scatter_nofg(records, records['y_a'] != records['y_b'], png, scale,
                              type(mixer).__name__)
        else:
            keep = exclusions(records['y_a'], records['y_b'], records['s_a'],
                              records['s_b'])['evaluated']
            plot_scatter(records, keep, png, scale, type(mixer).__name__)
    log(f"done in {timing['total_s']:.0f} s; results in {args.work_dir}")
    return (summary, records) if return_records else summary


if __name__ == '__main__':
    main()
