"""Pure loss functions of the semi-supervised recipes (FixMatch, MixMatch and
their Decoupled-Mixup variants).

Conventions follow :mod:`mmmix.models.losses.functional`: logits ``[N, C]`` in
any float dtype (maths in fp32, fp64 kept), per-sample results reduced with
``reduction`` in ``('mean', 'sum', 'none')``.

References:
    * FixMatch: Sohn et al., "FixMatch: Simplifying Semi-Supervised Learning
      with Consistency and Confidence", NeurIPS 2020, arXiv:2001.07685.
    * MixMatch: Berthelot et al., "MixMatch: A Holistic Approach to
      Semi-Supervised Learning", NeurIPS 2019, arXiv:1905.02249.
    * Decoupled Mixup (DM), asymmetric strategy: Liu et al., "Harnessing Hard
      Mixed Samples with Decoupled Regularizer", NeurIPS 2023, arXiv:2203.10761.
"""
import math
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from .functional import _col, _compute_dtype, as_lam, decoupled_nll, reduce_loss

ASYM_SIDES = ('labeled', 'unlabeled', 'none')


def pseudo_labels(logits: Tensor, tau: float) -> Tuple[Tensor, Tensor, Tensor]:
    """FixMatch hard pseudo-labels from (weak-view) logits, without gradient.

    Returns ``(confidence, label, mask)``: the top softmax probability, its
    class and the float mask ``confidence >= tau`` (inclusive, as the
    reference implementation). ``tau = 0`` keeps every sample, ``tau > 1``
    none.
    """
    with torch.no_grad():
        probs = torch.softmax(logits.detach().to(_compute_dtype(logits)), dim=1)
        conf, label = probs.max(dim=1)
        mask = (conf >= tau).to(probs.dtype)
    return conf, label, mask


def masked_cross_entropy(logits: Tensor, target: Tensor, mask: Tensor,
                         reduction: str = 'mean') -> Tensor:
    """``mask * CE(logits, target)`` per sample. With ``'mean'`` the sum is
    divided by the number of samples (not of kept samples), as FixMatch does:
    the loss weight then shrinks while few pseudo-labels pass the threshold."""
    z = logits.to(_compute_dtype(logits))
    ce = -_col(F.log_softmax(z, dim=1), target)
    return reduce_loss(ce * mask.to(ce), reduction)


def asymmetric_lam(lam: Tensor, side: str = 'labeled') -> Tensor:
    """The asymmetric strategy of DM for labeled-unlabeled mixing.

    ``lam`` is the share of the labeled sample: ``'labeled'`` folds it to
    ``max(lam, 1 - lam)`` (the labeled sample dominates, ``lam >= 0.5``),
    ``'unlabeled'`` to ``min(lam, 1 - lam)`` (the unlabeled one dominates, the
    other arm of the paper's ablation), ``'none'`` keeps it.
    """
    if side not in ASYM_SIDES:
        raise ValueError(f'unknown side={side!r}; valid choices are {list(ASYM_SIDES)}')
    if side == 'labeled':
        return torch.maximum(lam, 1 - lam)
    if side == 'unlabeled':
        return torch.minimum(lam, 1 - lam)
    return lam


def labeled_decoupled_loss(logits: Tensor, y_l: Tensor, y_u: Tensor, lam, eta: float = 1.0,
                           dm: bool = True, reduction: str = 'none') -> Tensor:
    """Loss of a labeled-unlabeled mixed sample ``lam * x_l + (1 - lam) * u``.

    ``MCE(z; y_l, y_u, lam) + eta * (-log phi(z)^{y_l | y_u})`` per sample,
    where ``y_u`` is the unlabeled sample's (pseudo) class and ``phi`` the
    decoupled softmax. Only the labeled class gets a decoupled term (the
    asymmetric DM of the paper: ``y_a^T log phi(z) y_b``); same-class pairs
    get none. ``dm=False`` leaves the plain MCE (the "+Mixup" baseline).
    """
    z = logits.to(_compute_dtype(logits))
    lam = as_lam(lam, z)
    logp = F.log_softmax(z, dim=1)
    loss = -(lam * _col(logp, y_l) + (1 - lam) * _col(logp, y_u))
    if dm:
        loss = loss + labeled_decoupled_term(z, y_l, y_u, eta, reduction='none')
    return reduce_loss(loss, reduction)


def labeled_decoupled_term(logits: Tensor, y_l: Tensor, y_u: Tensor, eta: float = 1.0,
                           reduction: str = 'none') -> Tensor:
    """``eta * (-log phi(z)^{y_l | y_u})`` per sample, 0 where ``y_l == y_u``:
    the decoupled term of the labeled class alone."""
    z = logits.to(_compute_dtype(logits))
    differ = (y_l != y_u).to(z.device)
    term = torch.where(differ, eta * decoupled_nll(z, y_l, y_u), z.new_zeros(()))
    return reduce_loss(term, reduction)


def cosine_ramp(step: int, ramp_steps: int) -> float:
    """Weight ramped from 0 to 1 over ``ramp_steps`` with half a cosine
    period: ``0.5 * (1 - cos(pi * min(step / ramp_steps, 1)))``; 1 when
    ``ramp_steps`` is 0."""
    if ramp_steps <= 0:
        return 1.0
    t = min(max(float(step), 0.) / ramp_steps, 1.)
    return 0.5 * (1. - math.cos(math.pi * t))


def linear_ramp(step: int, ramp_steps: int) -> float:
    """``min(step / ramp_steps, 1)`` (MixMatch's ramp of ``lambda_u``)."""
    if ramp_steps <= 0:
        return 1.0
    return min(max(float(step), 0.) / ramp_steps, 1.)


def sharpen(probs: Tensor, T: float) -> Tensor:
    """MixMatch sharpening ``p^(1/T) / sum p^(1/T)`` over classes (computed
    in log space; ``T -> 0`` tends to one-hot)."""
    logp = torch.log(probs.clamp_min(torch.finfo(probs.dtype).tiny))
    return torch.softmax(logp / T, dim=1)


def guess_labels(logits_views, T: float) -> Tensor:
    """MixMatch label guessing: the mean softmax over the ``K`` augmented
    views ``[K][M, C]`` (or ``[K, M, C]``), sharpened with temperature ``T``.
    No gradient."""
    with torch.no_grad():
        if not torch.is_tensor(logits_views):
            logits_views = torch.stack(list(logits_views))
        z = logits_views.detach().to(_compute_dtype(logits_views))
        return sharpen(torch.softmax(z, dim=2).mean(0), T)


def soft_cross_entropy(logits: Tensor, target: Tensor, reduction: str = 'mean') -> Tensor:
    """``-sum_c target_c log softmax(z)_c`` per sample."""
    z = logits.to(_compute_dtype(logits))
    return reduce_loss(-(target.to(z) * F.log_softmax(z, dim=1)).sum(1), reduction)


def probability_mse(logits: Tensor, target: Tensor, reduction: str = 'mean') -> Tensor:
    """MixMatch's unlabeled loss: ``mean_c (softmax(z)_c - target_c)^2`` per
    sample (the reference divides the squared L2 distance by ``C``)."""
    z = logits.to(_compute_dtype(logits))
    return reduce_loss((torch.softmax(z, dim=1) - target.to(z)).pow(2).mean(1), reduction)


__all__ = [
    'pseudo_labels', 'masked_cross_entropy', 'asymmetric_lam', 'labeled_decoupled_loss',
    'labeled_decoupled_term',
    'cosine_ramp', 'linear_ramp', 'sharpen', 'guess_labels', 'soft_cross_entropy',
    'probability_mse', 'ASYM_SIDES'
]
