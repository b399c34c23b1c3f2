"""FixMatch (Sohn et al., NeurIPS 2020, arXiv:2001.07685) and its mixup
variants: FixMatch+Mixup (MCE) and FixMatch+DM (Liu et al., NeurIPS 2023,
arXiv:2203.10761, the asymmetric strategy)."""
from typing import Optional

import torch

from mmmix.models.losses.semisup import (ASYM_SIDES, asymmetric_lam, cosine_ramp,
                                         labeled_decoupled_loss, masked_cross_entropy,
                                         pseudo_labels)
from mmmix.registry import MODELS
from mmmix.utils.validation import check_choice, check_range
from .base import SemiSupClassifier, build_single_mixer

MIX_LOSSES = ('mce', 'dm')
MIX_PARTNERS = ('labeled', 'unlabeled')


@MODELS.register_module()
class FixMatch(SemiSupClassifier):
    """FixMatch, optionally with a mixed-sample term.

    One training step on ``B`` labeled and ``M = mu * B`` unlabeled samples:

    1. one forward pass over ``[x_weak; u_weak; u_strong]`` (shared BN);
    2. hard pseudo-labels ``argmax p(u_weak)`` from the model itself (no
       gradient) or from the EMA teacher (``teacher='ema'``), kept where
       ``max p >= tau``;
    3. ``loss_x = CE(x_weak, y)``,
       ``loss_u = lambda_u * mean(mask * CE(u_strong, pseudo))``.

    With ``mixers`` (one mixer) a third term ``loss_mix`` is added, weighted by
    ``mix_weight`` times a cosine ramp from 0 to 1 over ``mix_ramp_iters``
    training steps:

    * ``mix_with='labeled'`` (FixMatch+Mixup): the labeled batch is mixed
      with itself and trained with MCE (``mix_loss='mce'``);
    * ``mix_with='unlabeled'`` (FixMatch+DM): every labeled sample is mixed
      with a random unlabeled weak view, ``lam * x_l + (1 - lam) * u``, its
      ``lam`` folded by ``asym`` (``'labeled'``: ``lam >= 0.5``, the labeled
      sample dominates); targets are the label and the partner's
      pseudo-label; ``mix_loss='dm'`` adds ``dm_eta * (-log phi(z)^{y_l|y_u})``
      (the decoupled term of the labeled class only) to the MCE; each mixed
      sample is weighted by its partner's confidence mask.

    Args:
        tau (float): confidence threshold of pseudo-labels, in [0, 1].
        lambda_u (float): weight of the unlabeled loss.
        mixers (list[dict], optional): one mmmix mixer config (e.g. ``Mixup``).
        mix_with (str): ``'labeled'`` or ``'unlabeled'`` partners.
        mix_loss (str): ``'mce'`` or ``'dm'``.
        asym (str): ``'labeled'``, ``'unlabeled'`` or ``'none'``, the fold of
            ``lam`` for unlabeled partners (:func:`asymmetric_lam`).
        dm_eta (float): weight of the decoupled term (not given by the
            sources for the semi-supervised setting; 1.0 here).
        mix_weight (float): weight of ``loss_mix`` after the ramp.
        mix_ramp_iters (int): length of the cosine ramp (0: no ramp).
        mix_seed (int, optional): seeds the partner choice and ``lam`` draws.
        teacher, ema_momentum: see :class:`SemiSupClassifier`.
    """

    views = ('weak', 'strong')

    def __init__(self, *args, tau: float = 0.95, lambda_u: float = 1.0,
                 mixers=None, mix_with: str = 'unlabeled',
                 mix_loss: str = 'mce', asym: str = 'labeled', dm_eta: float = 1.0,
                 mix_weight: float = 1.0, mix_ramp_iters: int = 0,
                 mix_seed: Optional[int] = None, **kwargs):
        owner = type(self).__name__
        check_range('tau', tau, 0, 1, owner=owner)
        check_range('lambda_u', lambda_u, 0, owner=owner)
        check_choice('mix_with', mix_with, MIX_PARTNERS, owner=owner)
        check_choice('mix_loss', mix_loss, MIX_LOSSES, owner=owner)
        check_choice('asym', asym, ASYM_SIDES, owner=owner)
        check_range('dm_eta', dm_eta, 0, owner=owner)
        check_range('mix_weight', mix_weight, 0, owner=owner)
        check_range('mix_ramp_iters', mix_ramp_iters, 0, owner=owner)
        super().__init__(*args, **kwargs)
        self.tau = float(tau)
        self.lambda_u = float(lambda_u)
        self.mixer = build_single_mixer(mixers, owner)
        self.mix_with = mix_with
        self.mix_loss = mix_loss
        self.asym = asym
        self.dm_eta = float(dm_eta)
        self.mix_weight = float(mix_weight)
        self.mix_ramp_iters = int(mix_ramp_iters)
        self._mix_gen = None if mix_seed is None else torch.Generator().manual_seed(int(mix_seed))

    def loss(self, inputs, data_samples) -> dict:
        step = self._begin_step()
        x_l, y_l, u = self.split_batch(inputs, data_samples, self.views)
        b, m = x_l.shape[0], u['weak'].shape[0]
        logits = self.logits(torch.cat([x_l, u['weak'], u['strong']]))
        logits_l, logits_uw, logits_us = logits.split([b, m, m])
        _, pseudo, mask = pseudo_labels(self.teacher_logits(u['weak'], logits_uw), self.tau)
        losses = dict(
            loss_x=self.labeled_ce(logits_l, y_l),
            loss_u=self.lambda_u * masked_cross_entropy(logits_us, pseudo, mask),
            mask_ratio=mask.mean().detach())
        if self.mixer is not None:
            weight = self.mix_weight * cosine_ramp(step, self.mix_ramp_iters)
            losses['loss_mix'] = weight * self.mixed_loss(x_l, y_l, u['weak'], pseudo, mask)
        return losses

    def mix_partners(self, b: int, m: int, device):
        """``(index, lam)`` of the mixed term: partners index the labeled
        batch (``mix_with='labeled'``, a permutation) or the unlabeled batch
        (``B`` distinct draws when ``M >= B``); ``lam`` is folded by ``asym``
        for unlabeled partners."""
        g = self._mix_gen if self._mix_gen is not None else self.mixer.generator
        lam = self.mixer.sample_lam(b, g)
        if self.mix_with == 'labeled':
            return self.mixer.sample_index(b, g).to(device), lam
        if m >= b:
            index = torch.randperm(m, generator=g)[:b]
        else:
            index = torch.randint(0, m, (b, ), generator=g)
        return index.to(device), asymmetric_lam(lam, self.asym)

    def mixed_loss(self, x_l, y_l, u_weak, pseudo, mask):
        """Mean over the labeled samples of the (masked) mixed-sample loss."""
        index, lam = self.mix_partners(x_l.shape[0], u_weak.shape[0], x_l.device)
        if self.mix_with == 'labeled':
            source, y_b, keep = None, y_l[index], torch.ones_like(mask[:1]).expand(len(index))
        else:
            source, y_b, keep = u_weak, pseudo[index], mask[index]
        result = self.mixer.mix(x_l.clone(), lam, index, source=source)
        per_sample = labeled_decoupled_loss(self.logits(result.inputs), y_l, y_b, result.lam,
                                            eta=self.dm_eta, dm=self.mix_loss == 'dm')
        return (per_sample * keep.to(per_sample)).mean()
