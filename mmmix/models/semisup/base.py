"""Shared parts of the semi-supervised classifiers: the multi-branch data
preprocessor, the split of a batch into labeled and unlabeled views, the
optional EMA teacher and the iteration counter of the loss ramps."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import ExponentialMovingAverage
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.models.utils import ClsDataPreprocessor
from torch import Tensor, nn

from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError, StrictKwargs, check_choice, check_range

TEACHER_MODES = ('none', 'ema')
BATCH_POS = 'batch_pos'


@MODELS.register_module()
class SemiSupDataPreprocessor(ClsDataPreprocessor):
    """``ClsDataPreprocessor`` that also takes multi-branch batches.

    A batch from :class:`~mmmix.datasets.SemiSupDataset` has
    ``inputs = {branch: [img or None, ...]}`` and ``data_samples`` alike
    (mmdet's ``MultiBranch`` + ``pseudo_collate``). Every branch keeps the
    samples that have it, is normalised like a plain batch, and each kept
    data sample records its position in the collated batch as the metainfo
    ``batch_pos`` (the views of one sample share it). Labels are left on the
    data samples untouched (unlabeled samples have none). Plain batches
    (validation, test) go through ``ClsDataPreprocessor`` unchanged.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
        if not isinstance(inputs, dict):
            return super().forward(data, training)
        samples = data.get('data_samples') or {}
        out_inputs, out_samples = {}, {}
        for branch, items in inputs.items():
            keep = [i for i, x in enumerate(items) if x is not None]
            if not keep:
                continue
            imgs = [items[i] for i in keep]
            out_inputs[branch] = super().forward(dict(inputs=imgs), training)['inputs']
            kept = [samples[branch][i] for i in keep] if branch in samples else []
            for pos, ds in zip(keep, kept):
                ds.set_metainfo({BATCH_POS: pos})
            out_samples[branch] = kept
        return {'inputs': out_inputs, 'data_samples': out_samples}


class _Net(nn.Module):
    """backbone -> neck -> head logits; the EMA teacher's copy of a classifier."""

    def __init__(self, backbone, neck, head):
        super().__init__()
        self.backbone = backbone
        self.neck = neck if neck is not None else nn.Identity()
        self.head = head

    def forward(self, x: Tensor) -> Tensor:
        feats = self.neck(self.backbone(x))
        return self.head(feats)


class SemiSupClassifier(StrictKwargs, ImageClassifier):
    """Base of the semi-supervised classifiers (FixMatch, MixMatch).

    Training batches come from :class:`~mmmix.datasets.SemiSupDataset` through
    :class:`SemiSupDataPreprocessor`; validation and prediction are those of
    :class:`mmpretrain.models.ImageClassifier`.

    Args:
        teacher (str): where targets for unlabeled samples come from:
            ``'none'`` (the model itself, no gradient: FixMatch / MixMatch) or
            ``'ema'`` (an exponential moving average of the model, updated at
            the start of every training loss, as BYOL's target network).
        ema_momentum (float): the EMA's ``momentum`` in mmengine's convention
            (``teacher = (1 - m) * teacher + m * student``); 0.001 is a decay
            of 0.999 (FixMatch's EMA).
        Others: as :class:`mmpretrain.models.ImageClassifier`.
    """

    def __init__(self, backbone: dict, neck: Optional[dict] = None,
                 head: Optional[dict] = None, teacher: str = 'none',
                 ema_momentum: float = 0.001, pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        owner = type(self).__name__
        check_choice('teacher', teacher, TEACHER_MODES, owner=owner)
        check_range('ema_momentum', ema_momentum, 0, 1, owner=owner, low_inclusive=False,
                    high_inclusive=False)
        if train_cfg and train_cfg.get('augments'):
            raise ConfigError(f'{owner}: train_cfg.augments is not supported (it would mix '
                              'labeled and unlabeled views alike)')
        if data_preprocessor is None:
            data_preprocessor = dict(type='SemiSupDataPreprocessor')
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         train_cfg=train_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.teacher_mode = teacher
        self.teacher = None
        if teacher == 'ema':
            self.teacher = ExponentialMovingAverage(self._student(), momentum=ema_momentum)
        # training forward passes so far (drives the loss ramps; saved with the model)
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))

    # ------------------------------------------------------------------ helpers
    def _student(self) -> _Net:
        return _Net(self.backbone, getattr(self, 'neck', None), self.head)

    def logits(self, x: Tensor) -> Tensor:
        """Classification logits of the (student) model."""
        return self.head(self.extract_feat(x))

    def teacher_logits(self, x: Tensor, student_logits: Optional[Tensor] = None) -> Tensor:
        """Detached logits of the target model: the EMA teacher (in eval
        mode) or, without one, ``student_logits`` (computed by the caller in
        the same forward pass) or a fresh student pass."""
        with torch.no_grad():
            if self.teacher is None:
                return (student_logits if student_logits is not None else self.logits(x)).detach()
            was = self.teacher.training
            self.teacher.train(False)
            out = self.teacher.module(x)
            self.teacher.train(was)
            return out.detach()

    def _begin_step(self) -> int:
        """Count the step and refresh the EMA teacher from the current weights."""
        self.num_steps += 1
        if self.teacher is not None:
            self.teacher.update_parameters(self._student())
        return int(self.num_steps)

    def labeled_ce(self, logits: Tensor, labels: Tensor) -> Tensor:
        """The head's loss module (CE unless configured) on labeled logits."""
        loss_module = getattr(self.head, 'loss_module', None)
        if loss_module is None:
            return F.cross_entropy(logits, labels)
        return loss_module(logits, labels, avg_factor=logits.size(0))

    def split_batch(self, inputs, data_samples, views: Sequence[str]
                    ) -> Tuple[Tensor, Tensor, Dict[str, Tensor]]:
        """``(x_labeled, y_labeled, {view: unlabeled inputs})`` of a batch.

        Labeled samples are the ``weak`` samples with a ``gt_label``; the
        unlabeled views are aligned with each other through ``batch_pos``.
        """
        owner = type(self).__name__
        if not isinstance(inputs, dict) or 'weak' not in inputs:
            raise ConfigError(
                f"{owner}: training needs multi-branch batches ({{'weak': ..., ...}}) from a "
                'SemiSupDataset through SemiSupDataPreprocessor, got '
                f'{type(inputs).__name__}')
        weak_samples: List = data_samples['weak']
        is_lab = [ds is not None and 'gt_label' in ds for ds in weak_samples]
        lab_rows = [i for i, f in enumerate(is_lab) if f]
        unl_rows = [i for i, f in enumerate(is_lab) if not f]
        if not lab_rows or not unl_rows:
            raise ValueError(f'{owner}: a training batch needs labeled and unlabeled samples, '
                             f'got {len(lab_rows)} labeled and {len(unl_rows)} unlabeled')
        device = inputs['weak'].device
        x_l = inputs['weak'][lab_rows]
        y_l = torch.cat([weak_samples[i].gt_label for i in lab_rows]).to(device)
        unl_pos = [weak_samples[i].metainfo[BATCH_POS] for i in unl_rows]
        out = {}
        for view in views:
            if view == 'weak':
                out[view] = inputs['weak'][unl_rows]
                continue
            if view not in inputs:
                raise ConfigError(f'{owner}: the batch has no {view!r} view of the unlabeled '
                                  f'samples (branches: {sorted(inputs)}); add it to the '
                                  "unlabeled MultiBranch pipeline")
            row_of = {ds.metainfo[BATCH_POS]: r for r, ds in enumerate(data_samples[view])}
            missing = [p for p in unl_pos if p not in row_of]
            if missing:
                raise ConfigError(f'{owner}: unlabeled samples at batch positions {missing} '
                                  f'have no {view!r} view')
            out[view] = inputs[view][[row_of[p] for p in unl_pos]]
        return x_l, y_l, out


def build_single_mixer(mixers, owner: str):
    """The one mmmix mixer of ``mixers`` (a config or a one-item list);
    ``None`` stays ``None``."""
    if mixers is None:
        return None
    from mmmix.models.classifiers.mixup_classifier import build_mixers
    built, _ = build_mixers(mixers, None, owner=owner)
    if len(built) != 1 or built[0] is None:
        raise ConfigError(f"{owner}: 'mixers' must hold exactly one mixer (not 'vanilla'), "
                          f'got {mixers!r}')
    mixer = built[0]
    if mixer.requires:
        raise ConfigError(f'{owner}: mixer {type(mixer).__name__} requires {list(mixer.requires)}'
                          ', which semi-supervised models do not provide')
    if mixer.dist_mode != 'local':
        raise ConfigError(f"{owner}: mixer dist_mode={mixer.dist_mode!r}; semi-supervised "
                          "mixing pairs samples inside each rank's batch, use 'local'")
    return mixer


__all__ = ['SemiSupDataPreprocessor', 'SemiSupClassifier', 'TEACHER_MODES', 'build_single_mixer']
