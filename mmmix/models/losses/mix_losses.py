"""Thin registered modules around the pure mixup losses of :mod:`.functional`.

Every mix loss takes ``(cls_score, y_a, y_b, lam)`` and returns a scalar
(or ``[N]`` with ``reduction='none'``). Heads use them through
``MixupClsHead(mix_loss=dict(type='mmmix.<Name>', ...))``; other heads can
reuse them directly. Options are validated when the module is built.
"""
from typing import Optional

from torch import Tensor, nn

from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, StrictKwargs, check_choice, check_range
from .functional import (DM_MODES, REDUCTIONS, SUMIX_LAM_REDUCTIONS, decoupled_mixup_bce,
                         decoupled_mixup_loss, mixed_cross_entropy, sumix_loss)


class BaseMixLoss(StrictKwargs, nn.Module):
    """Base class of the losses a :class:`~mmmix.models.MixupClsHead` accepts
    as ``mix_loss``.

    Class attributes:
        needs_clean (bool): the loss needs the clean batch's logits and
            uncertainty features and the partner ``index`` (SUMix).
        needs_uncertainty (bool): the loss needs uncertainty features ``u``.
    """
    needs_clean: bool = False
    needs_uncertainty: bool = False

    def __init__(self, loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__()
        name = type(self).__name__
        check_range('loss_weight', loss_weight, low=0, owner=name)
        check_choice('reduction', reduction, REDUCTIONS, owner=name)
        self.loss_weight = float(loss_weight)
        self.reduction = reduction

    def _reduction(self, reduction_override: Optional[str]) -> str:
        if reduction_override is None:
            return self.reduction
        return check_choice('reduction_override', reduction_override, REDUCTIONS,
                            owner=type(self).__name__)

    def extra_repr(self) -> str:
        return f'loss_weight={self.loss_weight}, reduction={self.reduction!r}'


@MODELS.register_module()
class MixedCrossEntropyLoss(BaseMixLoss):
    """Mixed cross-entropy ``lam * CE(z, y_a) + (1 - lam) * CE(z, y_b)``.

    Example::

        mix_loss = dict(type='mmmix.MixedCrossEntropyLoss')
    """

    def forward(self, cls_score: Tensor, y_a: Tensor, y_b: Tensor, lam,
                reduction_override: Optional[str] = None, **unused) -> Tensor:
        loss = mixed_cross_entropy(cls_score, y_a, y_b, lam, self._reduction(reduction_override))
        return self.loss_weight * loss


@MODELS.register_module()
class DecoupledMixupLoss(BaseMixLoss):
    """Decoupled Mixup (Liu et al., NeurIPS 2023, arXiv:2203.10761).

    ``variant='ce'`` (DM(CE))::

        L = MCE + eta_a * (-log phi^{a|b}) + eta_b * (-log phi^{b|a})

    with the decoupled softmax ``phi^{i|j} = exp(z_i) / sum_{c != j} exp(z_c)``
    and per-side weights from ``eta``, ``mode`` and ``idx`` (``g(t) = t^idx``):
    ``'both'`` -> ``(eta g(lam), eta g(1 - lam))``; ``'less'`` only the side with
    the smaller share; ``'more'`` only the larger side (both sides at a tie).
    Weights follow each row's own ``(y_a, y_b)``; same-class pairs get plain CE.

    ``variant='bce'`` (DM(BCE)): sigmoid BCE with two-hot targets; with ``thr``
    a share ``t < thr`` gets target ``(t / thr) ** idx``.

    Args:
        variant (str): ``'ce'`` (default) or ``'bce'``.
        eta (float): DM(CE) weight, >= 0. Default 0.1.
        mode (str): DM(CE) ``'both'`` | ``'less'`` | ``'more'``. Default ``'both'``.
        idx (float): exponent of ``g`` (DM(CE)) or of the rescale (DM(BCE)),
            >= 0. Default 1.0.
        thr (float, optional): DM(BCE) share threshold in ``(0, 1]``; None
            keeps every present class at target 1. Only for ``'bce'``.
        loss_weight (float), reduction (str): as usual.

    The defaults (eta 0.1, both, idx 1) are the paper's ImageNet setting; the
    CIFAR-100 CutMix setting is ``eta=0.1, mode='less', idx=0.5``::

        mix_loss = dict(type='mmmix.DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5)
    """
    VARIANTS = ('ce', 'bce')

    def __init__(self, variant: str = 'ce', eta: Optional[float] = None,
                 mode: Optional[str] = None, idx: float = 1.0, thr: Optional[float] = None,
                 loss_weight: float = 1.0, reduction: str = 'mean'):
        super().__init__(loss_weight=loss_weight, reduction=reduction)
        name = type(self).__name__
        check_choice('variant', variant, self.VARIANTS, owner=name)
        check_range('idx', idx, low=0, owner=name)
        if variant == 'ce':
            if thr is not None:
                raise ConfigError(f"{name}: 'thr' applies only to variant='bce' "
                                  f"(got variant='ce'); remove it or set variant='bce'")
            eta = 0.1 if eta is None else eta
            mode = 'both' if mode is None else mode
            check_range('eta', eta, low=0, owner=name)
            check_choice('mode', mode, DM_MODES, owner=name)
        else:
            for key, value in (('eta', eta), ('mode', mode)):
                if value is not None:
                    raise ConfigError(f"{name}: {key!r} applies only to variant='ce' "
                                      f"(got variant='bce'); DM(BCE) takes 'thr' and 'idx'")
            if thr is not None:
                check_range('thr', thr, low=0, high=1, low_inclusive=False, owner=name)
        self.variant = variant
        self.eta = None if eta is None else float(eta)
        self.mode = mode
        self.idx = float(idx)
        self.thr = None if thr is None else float(thr)

    def forward(self, cls_score: Tensor, y_a: Tensor, y_b: Tensor, lam,
                reduction_override: Optional[str] = None, **unused) -> Tensor:
        reduction = self._reduction(reduction_override)
        if self.variant == 'ce':
            loss = decoupled_mixup_loss(cls_score, y_a, y_b, lam, eta=self.eta, mode=self.mode,
                                        idx=self.idx, reduction=reduction)
        else:
            loss = decoupled_mixup_bce(cls_score, y_a, y_b, lam, thr=self.thr, idx=self.idx,
                                       reduction=reduction)
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        if self.variant == 'ce':
            opts = f'eta={self.eta}, mode={self.mode!r}, idx={self.idx}'
        else:
            opts = f'thr={self.thr}, idx={self.idx}'
        return f'variant={self.variant!r}, {opts}, ' + super().extra_repr()


@MODELS.register_module()
class SUMixLoss(BaseMixLoss):
    """SUMix: mixup with semantic and uncertain information (Qin et al., ECCV
    2024, arXiv:2407.07805).

    Re-estimates the share of each mixed sample from the detached clean and
    mixed predictions (``lam'``), weights the mixed cross-entropy with it, and
    adds the uncertainty regulariser weighted by ``gamma`` (see
    :func:`~mmmix.models.losses.functional.sumix_loss`). Needs the clean
    batch's logits and uncertainty features and the partner ``index``;
    :class:`~mmmix.models.MixupClsHead` inside :class:`~mmmix.models.MixupClassifier`
    provides them, for any mixer (CutMix, SaliencyMix, FMix, ResizeMix,
    GridMix, SmoothMix, ...).

    Args:
        gamma (float): weight of the uncertainty regulariser, >= 0. Default 0.5
            (the paper's CIFAR-100 / CUB / Aircraft / ImageNet setting; 1.0 on
            Tiny-ImageNet).
        scale (float): ``s`` in ``alpha = s * l2norm(softmax(p_m - q))``, > 0.
            Default 100: the reference uses ``s`` = the per-GPU batch size and
            the paper trains with batch 100, so ``scale=100`` reproduces the
            paper while staying independent of the batch size and GPU count.
        lam_reduction (str): how ``lam'`` weights the mixed cross-entropy.
            ``'sample'`` (default) uses each sample's own ``lam'``: ``lam'`` is a
            per-sample re-estimate, so the method implies per-sample weights,
            and the loss of a sample then does not depend on which other
            samples share its (per-GPU) batch. ``'batch_mean'`` uses the mean
            of ``lam'`` over the local batch for every sample, as the reference
            code does; choose it to reproduce the reference exactly.
        loss_weight (float), reduction (str): as usual.

    Example::

        mix_loss = dict(type='mmmix.SUMixLoss', gamma=0.5, scale=100)
    """
    needs_clean = True
    needs_uncertainty = True

    def __init__(self, gamma: float = 0.5, scale: float = 100.,
                 lam_reduction: str = 'sample', loss_weight: float = 1.0,
                 reduction: str = 'mean'):
        super().__init__(loss_weight=loss_weight, reduction=reduction)
        name = type(self).__name__
        check_range('gamma', gamma, low=0, owner=name)
        check_range('scale', scale, low=0, low_inclusive=False, owner=name)
        check_choice('lam_reduction', lam_reduction, SUMIX_LAM_REDUCTIONS, owner=name)
        self.gamma = float(gamma)
        self.scale = float(scale)
        self.lam_reduction = lam_reduction

    def forward(self, cls_score: Tensor, y_a: Tensor, y_b: Tensor, lam, *,
                index: Tensor = None, uncertainty: Tensor = None, clean_score: Tensor = None,
                clean_uncertainty: Tensor = None, reduction_override: Optional[str] = None,
                **unused) -> Tensor:
        missing = [k for k, v in (('index', index), ('uncertainty', uncertainty),
                                  ('clean_score', clean_score),
                                  ('clean_uncertainty', clean_uncertainty)) if v is None]
        if missing:
            raise ValueError(f'SUMixLoss needs {missing}; use it in MixupClsHead inside '
                             'mmmix.MixupClassifier, which provides the clean pass and the index')
        loss = sumix_loss(cls_score, uncertainty, clean_score, clean_uncertainty, y_a, y_b, lam,
                          index, scale=self.scale, gamma=self.gamma,
                          lam_reduction=self.lam_reduction,
                          reduction=self._reduction(reduction_override))
        return self.loss_weight * loss

    def extra_repr(self) -> str:
        return (f'gamma={self.gamma}, scale={self.scale}, lam_reduction={self.lam_reduction!r}, '
                + super().extra_repr())


def mix_loss_types():
    """Names of the registered mix losses (valid ``mix_loss`` types)."""
    return sorted(k for k, v in MODELS.module_dict.items()
                  if isinstance(v, type) and issubclass(v, BaseMixLoss))


__all__ = ['BaseMixLoss', 'MixedCrossEntropyLoss', 'DecoupledMixupLoss', 'SUMixLoss',
           'mix_loss_types']
