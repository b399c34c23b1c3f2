"""MixMatch (Berthelot et al., NeurIPS 2019, arXiv:1905.02249) and
MixMatch+DM (Liu et al., NeurIPS 2023, arXiv:2203.10761)."""
from typing import Optional

import torch
import torch.nn.functional as F

from mmmix.mixers.mixup import Mixup
from mmmix.models.losses.semisup import (asymmetric_lam, guess_labels, labeled_decoupled_term,
                                         linear_ramp, probability_mse, soft_cross_entropy)
from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, check_range
from .base import SemiSupClassifier


@MODELS.register_module()
class MixMatch(SemiSupClassifier):
    """MixMatch, optionally with the decoupled term of DM.

    One training step on ``B`` labeled samples (one weak view) and ``M``
    unlabeled samples with ``K`` weak views (branches ``weak``, ``weak2``,
    ..., ``weak{K}``):

    1. label guessing: the mean softmax over the K views (no gradient; from
       the EMA teacher with ``teacher='ema'``), sharpened with ``T``;
    2. ``W = [x; u_1; ...; u_K]`` with targets ``[onehot(y); q; ...; q]``
       is mixed with a random permutation of itself,
       ``lam ~ Beta(alpha, alpha)`` folded to ``lam >= 0.5`` so every mixed
       sample stays closest to its own input (the same fold as DM's
       asymmetric strategy);
    3. ``loss_x = soft-CE`` on the B mixed labeled rows,
       ``loss_u = lambda_u * ramp * mean_c (softmax - target)^2`` on the rest
       (ramp: linear over ``ramp_iters`` steps).

    MixMatch+DM (``dm_eta > 0``) adds ``loss_dm = dm_eta * mean(-log
    phi(z)^{y | y'})`` on the mixed labeled rows: the labeled class decoupled
    from the partner's class ``y'`` (its label or the argmax of its guess);
    same-class pairs add nothing.

    Args:
        num_views (int): K, augmentations per unlabeled sample (2).
        T (float): sharpening temperature (0.5).
        alpha (float): Beta parameter of ``lam`` (0.75).
        lam_mode (str): ``'batch'`` (one ``lam`` per step, the reference
            code) or ``'elem'``.
        lambda_u (float): weight of the unlabeled loss (75 on CIFAR-10).
        ramp_iters (int): linear ramp of ``lambda_u`` (16000 in the paper).
        dm_eta (float): weight of the decoupled term; 0 is plain MixMatch.
        mix_seed (int, optional): seeds ``lam`` and the permutation.
        teacher, ema_momentum: see :class:`SemiSupClassifier`.
    """

    def __init__(self, *args, num_views: int = 2, T: float = 0.5, alpha: float = 0.75,
                 lam_mode: str = 'batch', lambda_u: float = 75., ramp_iters: int = 16000,
                 dm_eta: float = 0., mix_seed: Optional[int] = None, **kwargs):
        owner = type(self).__name__
        if isinstance(num_views, bool) or not isinstance(num_views, int) or num_views < 1:
            raise ConfigError(f'{owner}: num_views={num_views!r} must be an integer >= 1')
        check_range('T', T, 0, 1, owner=owner, low_inclusive=False)
        check_range('lambda_u', lambda_u, 0, owner=owner)
        check_range('ramp_iters', ramp_iters, 0, owner=owner)
        check_range('dm_eta', dm_eta, 0, owner=owner)
        super().__init__(*args, **kwargs)
        # Mixup validates alpha / lam_mode and draws lam like every mmmix mixer
        self.mixer = Mixup(alpha=alpha, lam_mode=lam_mode)
        self.views = tuple(['weak'] + [f'weak{k}' for k in range(2, num_views + 1)])
        self.T = float(T)
        self.lambda_u = float(lambda_u)
        self.ramp_iters = int(ramp_iters)
        self.dm_eta = float(dm_eta)
        self._mix_gen = None if mix_seed is None else torch.Generator().manual_seed(int(mix_seed))

    def loss(self, inputs, data_samples) -> dict:
        step = self._begin_step()
        x_l, y_l, u = self.split_batch(inputs, data_samples, self.views)
        b, num_classes = x_l.shape[0], self.head.num_classes
        views = [u[v] for v in self.views]
        guess = guess_labels([self.teacher_logits(v) for v in views], self.T)

        inputs_all = torch.cat([x_l] + views)
        targets = torch.cat([F.one_hot(y_l, num_classes).to(guess)] + [guess] * len(views))
        n = inputs_all.shape[0]
        lam = asymmetric_lam(self.mixer.sample_lam(n, self._mix_gen), 'labeled')
        index = torch.randperm(n, generator=self._mix_gen).to(inputs_all.device)
        mixed = self.mixer.mix(inputs_all, lam, index)
        lam_col = mixed.lam.to(targets).view(-1, 1)
        mixed_targets = lam_col * targets + (1 - lam_col) * targets[index]

        logits = self.logits(mixed.inputs)
        losses = dict(
            loss_x=soft_cross_entropy(logits[:b], mixed_targets[:b]),
            loss_u=self.lambda_u * linear_ramp(step, self.ramp_iters)
            * probability_mse(logits[b:], mixed_targets[b:]))
        if self.dm_eta > 0:
            partner = targets[index[:b]].argmax(1)
            losses['loss_dm'] = labeled_decoupled_term(logits[:b], y_l, partner, self.dm_eta,
                                                       reduction='mean')
        return losses
