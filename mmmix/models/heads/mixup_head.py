"""MixupClsHead: a linear classification head that understands mixed batches."""
import warnings
import weakref
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.structures import DataSample
from torch import nn

from mmmix.evaluation.metrics.mix_accuracy import mixup_top2_accuracy
from mmmix.mixers.base import MIX_SHARES_KEY, PUBLISHED_MIX_KEY, BaseMixer
from mmmix.models.losses.functional import shares_cross_entropy, uncertainty_features
from mmmix.models.losses.mix_losses import BaseMixLoss, MixedCrossEntropyLoss, mix_loss_types
from mmmix.registry import MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import ConfigError, StrictKwargs, check_range

CLEAN_FEATS = 'clean_feats'


def consume_published_mix_result():
    """Return and clear the MixResult the last mmmix batch augment published
    (``BaseMixer.__call__``), if any."""
    hub = MessageHub.get_current_instance()
    result = hub.get_info(PUBLISHED_MIX_KEY)
    if result is not None:
        hub.update_info(PUBLISHED_MIX_KEY, None, resumed=False)
    return result


def build_mix_loss(cfg, owner: str = 'MixupClsHead') -> BaseMixLoss:
    """Build a mix loss from a config (``type`` with or without ``mmmix.``)
    or pass a built one through; anything else raises :class:`ConfigError`
    listing the valid types."""
    if isinstance(cfg, BaseMixLoss):
        return cfg
    valid = mix_loss_types()
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise ConfigError(f"{owner}: mix_loss must be a dict with a 'type' (one of {valid}), "
                          f'got {cfg!r}')
    cfg = dict(cfg)
    name = cfg.pop('type')
    cls = name if isinstance(name, type) else MODELS.get(name)
    if not (isinstance(cls, type) and issubclass(cls, BaseMixLoss)):
        raise ConfigError(f'{owner}: unknown mix_loss type {name!r}; valid choices are {valid} '
                          "(write them as 'mmmix.<Name>' in a stock mmpretrain config)")
    return cls(**cfg)


# ----------------------------------------------------------------------------
# build-time check of where a head that needs classifier context is attached
# ----------------------------------------------------------------------------
_PENDING_HEADS = weakref.WeakSet()
_HOOK = []


def _on_module_registration(parent: nn.Module, name: str, module: nn.Module):
    if module in _PENDING_HEADS:
        from mmpretrain.models.classifiers import BaseClassifier
        if isinstance(parent, BaseClassifier):
            _PENDING_HEADS.discard(module)
            module.check_classifier(parent)
    return None


def _watch_attachment(head: nn.Module):
    """Check ``head`` against the classifier it gets attached to, when that
    happens (``self.head = ...`` in the classifier's ``__init__``), so that a
    misplaced head fails while the model is built."""
    if not _HOOK:
        _HOOK.append(nn.modules.module.register_module_module_registration_hook(
            _on_module_registration))
    _PENDING_HEADS.add(head)


@MODELS.register_module()
class MixupClsHead(StrictKwargs, LinearClsHead):
    """Linear head whose loss understands mixed batches.

    * clean batch (no mix information): the configured ``loss`` (plain CE by
      default) on ``gt_label`` / ``gt_score``, exactly as
      :class:`mmpretrain.models.LinearClsHead`;
    * mixed batch: ``mix_loss`` on ``(y_a, y_b, lam)`` (and, for SUMix, the
      partner ``index`` and the clean pass), plus the top-2 mixup accuracy
      ``mix_acc_top2`` (percent, logged, not summed into the loss).

    Where the mix information comes from:

    * inside :class:`~mmmix.models.MixupClassifier`: ``loss(..., mix_info=MixInfo)``;
    * as a drop-in head of a stock mmpretrain ``ImageClassifier`` whose
      ``train_cfg.augments`` are mmmix mixers: the mixer publishes its
      ``MixResult`` (index and ``lam``) in the MessageHub runtime info; the head
      takes it, checks it belongs to this batch (same size and soft scores
      equal to ``lam * onehot(y_a) + (1 - lam) * onehot(y_b)`` with ``y_a`` the
      ``gt_label``) and applies ``mix_loss``. Without a matching result
      (identity augment, mmpretrain's own mixers) it falls back to ``loss``
      on the soft ``gt_score``. Losses that need a clean pass (SUMix) are not
      possible there and fail when the model is built.

    Args:
        num_classes (int), in_channels (int): as :class:`LinearClsHead`.
        loss (dict): loss for clean batches (and the soft-target fallback).
        mix_loss (dict): loss for mixed batches, a registered mix loss:
            ``mmmix.MixedCrossEntropyLoss`` (default), ``mmmix.DecoupledMixupLoss``,
            ``mmmix.SUMixLoss``.
        clean_grad (bool, optional): only with a mix loss that needs the clean
            pass (SUMix). True (default there; the paper) back-propagates
            through the clean forward; False runs the backbone under
            ``torch.no_grad`` for the clean batch, so only the head learns from it.
        uncertainty_norm (bool, optional): only with SUMix. True (default
            there) adds a second linear layer ``fc_u`` and uses
            ``u = l2norm(softmax(fc_u(f)))``; False uses ``u = z`` (the logits).
        cal_mix_acc (bool): log ``mix_acc_top2`` on mixed batches. Default True.
        topk, cal_acc, init_cfg: as :class:`LinearClsHead`.

    Example (CIFAR-100 CutMix + DM)::

        head=dict(type='MixupClsHead', num_classes=100, in_channels=512,
                  mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5))
    """

    #: extra context the head asks the classifier for (see MixupClassifier);
    #: ``('clean_feats',)`` when the mix loss needs the clean pass
    mix_requires: Tuple[str, ...] = ()

    def __init__(self, num_classes: int, in_channels: int,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 mix_loss: dict = dict(type='MixedCrossEntropyLoss'),
                 clean_grad: Optional[bool] = None, uncertainty_norm: Optional[bool] = None,
                 cal_mix_acc: bool = True, topk=(1, ), cal_acc: bool = False,
                 init_cfg: Optional[dict] = dict(type='Normal', layer='Linear', std=0.01)):
        name = type(self).__name__
        check_range('num_classes', num_classes, low=1, owner=name)
        check_range('in_channels', in_channels, low=1, owner=name)
        if isinstance(loss, dict) and 'loss_weight' in loss:
            check_range('loss.loss_weight', loss['loss_weight'], low=0, owner=name)
        super().__init__(num_classes=num_classes, in_channels=in_channels, loss=loss,
                         topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)
        self.mix_loss_module = build_mix_loss(mix_loss, name)
        needs_clean = self.mix_loss_module.needs_clean
        needs_u = self.mix_loss_module.needs_uncertainty
        loss_name = type(self.mix_loss_module).__name__
        for key, value, needed in (('clean_grad', clean_grad, needs_clean),
                                   ('uncertainty_norm', uncertainty_norm, needs_u)):
            if value is not None and not needed:
                raise ConfigError(f'{name}: {key!r} applies only to a mix_loss that needs it '
                                  f'(SUMixLoss), not to {loss_name}; remove {key!r}')
            if value is not None and not isinstance(value, bool):
                raise ConfigError(f'{name}: {key}={value!r} must be True or False')
        self.clean_grad = (True if clean_grad is None else clean_grad) if needs_clean else None
        self.uncertainty_norm = ((True if uncertainty_norm is None else uncertainty_norm)
                                 if needs_u else None)
        self.fc_u = nn.Linear(in_channels, num_classes) if self.uncertainty_norm else None
        self.cal_mix_acc = bool(cal_mix_acc)
        self.mix_requires = (CLEAN_FEATS, ) if needs_clean else ()
        if self.mix_requires or not isinstance(self.mix_loss_module, MixedCrossEntropyLoss):
            _watch_attachment(self)

    # --------------------------------------------------------------- checks
    def check_classifier(self, classifier: nn.Module) -> None:
        """Raise :class:`ConfigError` when ``classifier`` cannot give this head
        what its mix loss needs (called when the head is attached)."""
        providers = getattr(type(classifier), 'providers', {}) or {}
        missing = [r for r in self.mix_requires if r not in providers]
        loss_name = type(self.mix_loss_module).__name__
        if missing:
            raise ConfigError(
                f'MixupClsHead with {loss_name} needs the partner index and a clean forward '
                f'pass ({missing}), which {type(classifier).__name__} does not provide (a stock '
                "classifier with train_cfg.augments gives soft targets only); use "
                "type='mmmix.MixupClassifier' with mixers=[...] instead")
        if not providers:  # a stock classifier: mixing comes from train_cfg.augments
            preprocessor = getattr(classifier, 'data_preprocessor', None)
            augments = getattr(getattr(preprocessor, 'batch_augments', None), 'augments', ())
            foreign = [type(a).__name__ for a in augments or ()
                       if not isinstance(a, BaseMixer)]
            if foreign:
                raise ConfigError(
                    f'MixupClsHead with {loss_name} needs the mix index and lam of every batch, '
                    f'which train_cfg.augments {foreign} (not mmmix mixers) do not give: the '
                    f'head would silently fall back to soft-target CE. Write '
                    f"type='mmmix.{foreign[0]}' in train_cfg.augments, or use "
                    "type='mmmix.MixupClassifier' with mixers=[...]")
        for m in getattr(classifier, 'mixers', ()) or ():
            if m is not None and getattr(m, 'dist_mode', 'local') != 'local':
                raise ConfigError(
                    f"MixupClsHead with {loss_name} needs every mixer paired inside the local "
                    f"batch; {type(m).__name__} has dist_mode={m.dist_mode!r}, use 'local'")

    # ------------------------------------------------------------- forward
    def uncertainty(self, pre_logits: torch.Tensor, cls_score: torch.Tensor) -> torch.Tensor:
        """SUMix uncertainty features ``u`` (``l2norm(softmax(fc_u(f)))`` or ``z``)."""
        if self.fc_u is None:
            return cls_score
        return uncertainty_features(self.fc_u(pre_logits), normalize=True)

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             mix_info: Optional[MixInfo] = None, **kwargs) -> dict:
        if mix_info is None:
            mix_info = self._published_mix_info(data_samples)
            if mix_info is None:
                losses = super().loss(feats, data_samples, **kwargs)
                if self.fc_u is not None:
                    # keep fc_u in the graph on clean batches (DDP with
                    # find_unused_parameters=False needs every parameter used)
                    losses['loss'] = losses['loss'] + 0. * sum(
                        p.sum() for p in self.fc_u.parameters())
                return losses
        return self._mix_loss(feats, mix_info)

    def _mix_loss(self, feats: Tuple[torch.Tensor], info: MixInfo) -> dict:
        pre = self.pre_logits(feats)
        cls_score = self.fc(pre)
        module = self.mix_loss_module
        kw = {}
        if module.needs_uncertainty:
            kw['uncertainty'] = self.uncertainty(pre, cls_score)
        if module.needs_clean:
            if CLEAN_FEATS not in info.extra:
                raise ConfigError(f'MixupClsHead: {type(module).__name__} needs MixInfo.extra'
                                  f"['{CLEAN_FEATS}'] (the clean batch features); use "
                                  'mmmix.MixupClassifier')
            clean_pre = self.pre_logits(info.extra[CLEAN_FEATS])
            clean_score = self.fc(clean_pre)
            kw.update(index=info.index, clean_score=clean_score,
                      clean_uncertainty=self.uncertainty(clean_pre, clean_score))
        shares = info.extra.get(MIX_SHARES_KEY)
        if shares is not None:  # multi-input mix (Co-Mixup; MCE only): target shares @ onehot
            if not isinstance(module, MixedCrossEntropyLoss):
                raise ConfigError(f'MixupClsHead: {type(module).__name__} needs a (y_a, y_b, '
                                  'lam) pair; multi-input mixes need MixedCrossEntropyLoss')
            loss = module.loss_weight * shares_cross_entropy(cls_score, info.y_a, shares,
                                                             module._reduction(None))
        else:
            loss = module(cls_score, info.y_a, info.y_b, info.lam, **kw)
        losses = dict(loss=loss)
        if self.cal_mix_acc:
            losses['mix_acc_top2'] = mixup_top2_accuracy(cls_score, info.y_a, info.y_b, info.lam)
        return losses

    # ------------------------------------------- stock ImageClassifier path
    def _published_mix_info(self, data_samples: List[DataSample]) -> Optional[MixInfo]:
        """MixInfo from the MixResult a batch augment published for this batch,
        or None (then the soft-target fallback applies)."""
        result = consume_published_mix_result()
        if result is None or not data_samples:
            return None
        first = data_samples[0]
        if 'gt_score' not in first or 'gt_label' not in first:
            return None
        n = len(data_samples)
        scores = torch.stack([ds.gt_score for ds in data_samples]).float()
        labels = [ds.gt_label.reshape(-1) for ds in data_samples]
        if (result.lam.numel() != n or result.index.numel() != n
                or any(lb.numel() != 1 for lb in labels)):
            warnings.warn(f'MixupClsHead: the published mix result (batch '
                          f'{result.lam.numel()}) does not match this batch ({n} samples, '
                          'single-label); using the soft-target loss')
            return None
        y_a = torch.cat(labels).to(scores.device).long()
        _, y_b = result.pair_labels(y_a)
        lam = result.lam.to(scores.device, torch.float32).view(-1, 1)
        expected = (lam * F.one_hot(y_a, scores.shape[1]).float()
                    + (1 - lam) * F.one_hot(y_b.to(scores.device), scores.shape[1]).float())
        if not torch.allclose(expected, scores, atol=1e-4):
            warnings.warn('MixupClsHead: the published mix result does not match the soft '
                          'targets of this batch; using the soft-target loss')
            return None
        if self.mix_requires:
            raise ConfigError(f'MixupClsHead: {type(self.mix_loss_module).__name__} cannot '
                              'run on batch augments (no clean pass); use mmmix.MixupClassifier')
        return MixInfo(y_a=y_a, y_b=y_b.to(scores.device), lam=lam.view(-1),
                       index=result.index.to(scores.device), mask=result.mask)
