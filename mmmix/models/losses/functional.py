"""Pure loss functions on logits for mixed batches.

Conventions shared by every function here:

* ``logits`` ``[N, C]`` in any float dtype; the maths runs in float32 (or
  float64 when the logits are float64) and the result has that dtype.
* ``y_a``, ``y_b`` ``[N]`` (``long``): the classes of the two mixed samples,
  with ``y_b = y_a[index]`` (see :class:`mmmix.structures.MixInfo`).
* ``lam``: the share of ``y_a`` in each mixed sample, a tensor ``[N]``
  (a Python float or a 0-d tensor is broadcast); it never carries gradient.
* ``reduction``: ``'mean'`` (batch mean), ``'sum'`` or ``'none'`` (``[N]``).

Same-class pairs (``y_a == y_b``) are legal everywhere and reduce to the plain
cross-entropy of that class.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

REDUCTIONS = ('mean', 'sum', 'none')
DM_MODES = ('both', 'less', 'more')


def reduce_loss(loss: Tensor, reduction: str = 'mean') -> Tensor:
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'none':
        return loss
    raise ValueError(f"unknown reduction={reduction!r}; valid choices are ['mean', 'sum', 'none']")


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _compute_dtype(logits: Tensor) -> torch.dtype:
    """float64 stays float64; everything else (fp16/bf16/fp32) runs in fp32."""
    return torch.float64 if logits.dtype == torch.float64 else torch.float32


def as_lam(lam, logits: Tensor) -> Tensor:
    """``lam`` as a detached ``[N]`` tensor in the compute dtype of ``logits``."""
    n = logits.shape[0]
    lam = torch.as_tensor(lam).detach().to(logits.device, _compute_dtype(logits))
    if lam.dim() == 0 or lam.numel() == 1:
        return lam.reshape(1).expand(n)
    if lam.shape != (n, ):
        raise ValueError(f'lam must be a scalar or a [N]={n} tensor, got shape {tuple(lam.shape)}')
    return lam


def _col(x: Tensor, y: Tensor) -> Tensor:
    """``x[i, y[i]]`` for every row ``i``."""
    return x.gather(1, y.view(-1, 1).to(x.device)).squeeze(1)


def decoupled_nll(logits: Tensor, target: Tensor, competitor: Tensor) -> Tensor:
    """``-log phi(z)^{t|c}`` per sample, the decoupled softmax of DM.

    ``phi(z)^{t|c} = exp(z_t) / sum_{k != c} exp(z_k)``: the softmax of class
    ``t`` with the competitor class ``c`` removed from the denominator.
    Computed stably as ``logsumexp(z with z_c = -inf) - z_t`` in fp32. When
    ``t == c`` the result is finite but meaningless; callers weight it by 0.
    """
    z = logits.to(_compute_dtype(logits))
    masked = z.scatter(1, competitor.view(-1, 1).to(z.device), float('-inf'))
    return torch.logsumexp(masked, dim=1) - _col(z, target)


# ---------------------------------------------------------------------------
# MCE
# ---------------------------------------------------------------------------
def mixed_cross_entropy(logits: Tensor, y_a: Tensor, y_b: Tensor, lam,
                        reduction: str = 'mean') -> Tensor:
    """MCE: ``lam * CE(z, y_a) + (1 - lam) * CE(z, y_b)`` per sample (fp32 log-softmax)."""
    logp = F.log_softmax(logits.to(_compute_dtype(logits)), dim=1)
    lam = as_lam(lam, logp)
    return reduce_loss(-(lam * _col(logp, y_a) + (1 - lam) * _col(logp, y_b)), reduction)


def shares_cross_entropy(logits: Tensor, labels: Tensor, shares: Tensor,
                         reduction: str = 'mean') -> Tensor:
    """Multi-source MCE (Co-Mixup): ``sum_j shares[i, j] * CE(z_i, labels[j])``
    per sample, the cross-entropy with soft target ``shares @ onehot(labels)``
    (``shares`` ``[N, M]`` rows sum to 1, ``labels`` ``[M]``; fp32 log-softmax)."""
    logp = F.log_softmax(logits.to(_compute_dtype(logits)), dim=1)
    target = shares.detach().to(logp) @ F.one_hot(labels.to(logp.device), logp.shape[1]).to(logp)
    return reduce_loss(-(target * logp).sum(1), reduction)


# ---------------------------------------------------------------------------
# Decoupled Mixup (DM), Liu et al., arXiv:2203.10761
# ---------------------------------------------------------------------------
def decoupled_eta(lam: Tensor, eta: float = 0.1, mode: str = 'both',
                  idx: float = 1.0) -> Tuple[Tensor, Tensor]:
    """Per-sample weights ``(eta_a, eta_b)`` of the two decoupled terms.

    With ``g(t) = t ** idx`` (``idx = 0``: constant 1):

    * ``'both'``: ``(eta * g(lam), eta * g(1 - lam))``;
    * ``'less'``: only the side with the smaller share (the minority class);
    * ``'more'``: only the side with the larger share.

    The weights follow each row's ``(a, b)`` sides, never the class indices.
    At a tie (``lam == 0.5``) neither side is smaller or larger than the
    other, so ``'less'`` and ``'more'`` both weight both sides.
    """
    if mode not in DM_MODES:
        raise ValueError(f'unknown mode={mode!r}; valid choices are {list(DM_MODES)}')
    lam_b = 1 - lam
    eta_a = eta * lam.pow(idx)
    eta_b = eta * lam_b.pow(idx)
    if mode == 'less':
        eta_a = eta_a * (lam <= lam_b)
        eta_b = eta_b * (lam_b <= lam)
    elif mode == 'more':
        eta_a = eta_a * (lam >= lam_b)
        eta_b = eta_b * (lam_b >= lam)
    return eta_a, eta_b


def decoupled_mixup_loss(logits: Tensor, y_a: Tensor, y_b: Tensor, lam, eta: float = 0.1,
                         mode: str = 'both', idx: float = 1.0,
                         reduction: str = 'mean') -> Tensor:
    """DM(CE): ``MCE + eta_a * (-log phi^{a|b}) + eta_b * (-log phi^{b|a})``.

    ``phi^{i|j}`` is the decoupled softmax (:func:`decoupled_nll`) and
    ``(eta_a, eta_b)`` come from :func:`decoupled_eta`. Same-class pairs get
    the plain CE (no decoupled term).
    """
    z = logits.to(_compute_dtype(logits))
    lam = as_lam(lam, z)
    mce = mixed_cross_entropy(z, y_a, y_b, lam, reduction='none')
    eta_a, eta_b = decoupled_eta(lam, eta, mode, idx)
    differ = (y_a != y_b).to(z.device)
    dm_a = decoupled_nll(z, y_a, y_b)
    dm_b = decoupled_nll(z, y_b, y_a)
    zero = z.new_zeros(())
    dm = torch.where(differ, eta_a * dm_a + eta_b * dm_b, zero)
    return reduce_loss(mce + dm, reduction)


def two_hot_targets(num_classes: int, y_a: Tensor, y_b: Tensor, lam: Tensor,
                    thr=None, idx: float = 1.0) -> Tensor:
    """``[N, C]`` two-hot BCE targets of DM(BCE).

    Each class present in the mix gets target 1; a share ``t`` below ``thr``
    (when given) is rescaled to ``(t / thr) ** idx``. A class with share 0
    gets 0; a same-class pair has share 1 for its class.
    """
    same = (y_a == y_b).to(lam.device)
    share_a = torch.where(same, torch.ones_like(lam), lam)
    share_b = torch.where(same, torch.ones_like(lam), 1 - lam)

    def target(share):
        t = (share > 0).to(share.dtype)
        if thr is not None:
            small = (share < thr) & (share > 0)
            t = torch.where(small, (share / thr).pow(idx), t)
        return t

    out = lam.new_zeros(lam.shape[0], num_classes)
    out.scatter_reduce_(1, y_a.view(-1, 1).to(lam.device), target(share_a).view(-1, 1), 'amax')
    out.scatter_reduce_(1, y_b.view(-1, 1).to(lam.device), target(share_b).view(-1, 1), 'amax')
    return out


def decoupled_mixup_bce(logits: Tensor, y_a: Tensor, y_b: Tensor, lam, thr=None,
                        idx: float = 1.0, reduction: str = 'mean') -> Tensor:
    """DM(BCE): sigmoid binary cross-entropy against two-hot targets
    (:func:`two_hot_targets`), summed over classes per sample (the convention
    of mmpretrain's ``CrossEntropyLoss(use_sigmoid=True)`` in a head)."""
    z = logits.to(_compute_dtype(logits))
    lam = as_lam(lam, z)
    target = two_hot_targets(z.shape[1], y_a, y_b, lam, thr, idx)
    loss = F.binary_cross_entropy_with_logits(z, target, reduction='none').sum(1)
    return reduce_loss(loss, reduction)


# ---------------------------------------------------------------------------
# SUMix, Qin et al., arXiv:2407.07805
# ---------------------------------------------------------------------------
SUMIX_LAM_REDUCTIONS = ('sample', 'batch_mean')
#: ``F = exp(-x)`` is used as logits; ``x`` is clamped from below at
#: ``-SUMIX_EXP_MAX`` so that unnormalised uncertainties (``u = z``) cannot
#: overflow. With normalised uncertainties ``x >= 0`` and the clamp is inactive.
SUMIX_EXP_MAX = 60.


def _zero_col(p: Tensor, y: Tensor) -> Tensor:
    return p.scatter(1, y.view(-1, 1).to(p.device), 0.)


def sumix_alpha(p_o: Tensor, p_m: Tensor, y_a: Tensor, y_b: Tensor, index: Tensor,
                scale: float = 100.) -> Tuple[Tensor, Tensor]:
    """``(alpha_a, alpha_b)`` ``[N, C]`` of SUMix from detached probabilities.

    ``q_a = p_o`` with the ``y_b`` entry zeroed, ``q_b = p_o[index]`` with the
    ``y_a`` entry zeroed; ``alpha_a = scale * l2norm(softmax(p_m - q_a))`` and
    likewise for ``b``.
    """
    p_o = p_o.detach()
    p_m = p_m.detach()
    n = p_o.shape[0]
    index = index.to(p_o.device)
    if index.numel() and int(index.max()) >= n:
        raise ValueError(
            f'SUMix: the partner index points outside the local batch of {n} (max '
            f'{int(index.max())}); SUMix needs the clean batch of every partner, so use a '
            "mixer with dist_mode='local'")
    q_a = _zero_col(p_o, y_b)
    q_b = _zero_col(p_o[index], y_a)
    alpha_a = scale * F.normalize(torch.softmax(p_m - q_a, dim=1), dim=1)
    alpha_b = scale * F.normalize(torch.softmax(p_m - q_b, dim=1), dim=1)
    return alpha_a, alpha_b


def sumix_lam(lam: Tensor, alpha_a: Tensor, alpha_b: Tensor, y_a: Tensor,
              y_b: Tensor) -> Tensor:
    """Re-estimated share ``lam' = w_a / (w_a + w_b)`` with
    ``w_a = lam * exp(-alpha_a[y_a])`` and ``w_b = (1 - lam) * exp(-alpha_b[y_b])``,
    computed in log space (``lam`` in ``{0, 1}`` gives ``lam'`` in ``{0, 1}``)."""
    log_wa = torch.log(lam) - _col(alpha_a, y_a)
    log_wb = torch.log1p(-lam) - _col(alpha_b, y_b)
    return torch.sigmoid(log_wa - log_wb)


def sumix_loss(logits: Tensor, uncertainty: Tensor, clean_logits: Tensor,
               clean_uncertainty: Tensor, y_a: Tensor, y_b: Tensor, lam, index: Tensor,
               scale: float = 100., gamma: float = 0.5, lam_reduction: str = 'sample',
               reduction: str = 'mean') -> Tensor:
    """SUMix loss per sample.

    ``L = w(lam') * CE(z_m, y_a) + w(1 - lam') * CE(z_m, y_b)
    + gamma * (lam * CE(F_a, y_a) + (1 - lam) * CE(F_b, y_b))`` with

    * ``lam'`` from :func:`sumix_alpha` / :func:`sumix_lam` on the detached
      clean and mixed probabilities (no gradient);
    * ``F_a = exp(-(u_o + u_m + alpha_a))``,
      ``F_b = exp(-(u_o[index] + u_m + alpha_b))`` used as logits;
    * ``w`` the identity (``lam_reduction='sample'``) or the batch mean
      (``'batch_mean'``, the reference implementation).

    Args:
        logits, uncertainty: ``z_m``, ``u_m`` of the mixed batch ``[N, C]``.
        clean_logits, clean_uncertainty: ``z_o``, ``u_o`` of the clean batch.
        index: partner index into the (local) clean batch.
        scale: ``s`` of ``alpha``; an explicit constant, never the batch size.
    """
    if lam_reduction not in SUMIX_LAM_REDUCTIONS:
        raise ValueError(f'unknown lam_reduction={lam_reduction!r}; valid choices are '
                         f'{list(SUMIX_LAM_REDUCTIONS)}')
    dtype = _compute_dtype(logits)
    z_m = logits.to(dtype)
    z_o = clean_logits.to(dtype)
    u_m = uncertainty.to(dtype)
    u_o = clean_uncertainty.to(dtype)
    lam = as_lam(lam, z_m)
    index = index.to(z_m.device)

    with torch.no_grad():
        alpha_a, alpha_b = sumix_alpha(torch.softmax(z_o, 1), torch.softmax(z_m, 1),
                                       y_a, y_b, index, scale)
        lam_new = sumix_lam(lam, alpha_a, alpha_b, y_a, y_b)
        if lam_reduction == 'batch_mean':
            lam_new = lam_new.mean().expand_as(lam_new)

    logp = F.log_softmax(z_m, dim=1)
    main = -(lam_new * _col(logp, y_a) + (1 - lam_new) * _col(logp, y_b))

    f_a = torch.exp(-(u_o + u_m + alpha_a).clamp(min=-SUMIX_EXP_MAX))
    f_b = torch.exp(-(u_o[index] + u_m + alpha_b).clamp(min=-SUMIX_EXP_MAX))
    reg = -(lam * _col(F.log_softmax(f_a, 1), y_a)
            + (1 - lam) * _col(F.log_softmax(f_b, 1), y_b))
    return reduce_loss(main + gamma * reg, reduction)


def uncertainty_features(x: Tensor, normalize: bool = True) -> Tensor:
    """``u = l2norm(softmax(x))`` over classes (``x`` are the uncertainty
    logits ``W_u f``), or ``x`` itself when ``normalize`` is False."""
    if not normalize:
        return x
    return F.normalize(torch.softmax(x.to(_compute_dtype(x)), dim=1), dim=1)
