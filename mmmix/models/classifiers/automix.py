"""AutoMix: learned mixing with a Mix Block and a momentum teacher.

Liu et al., "AutoMix: Unveiling the Power of Mixup for Stronger Classifiers",
ECCV 2022 (arXiv:2103.13027). Notation and defaults: ``docs/automix.md``.
"""
import math
from typing import List, Optional, Sequence

import torch
from mmengine.logging import MessageHub, MMLogger
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from mmmix.engine.hooks.automix_ema import AutoMixEMA
from mmmix.engine.hooks.automix_vis import RECORD_FLAG
from mmmix.engine.optimizers.automix_constructor import MODE_ATTR
from mmmix.mixers.mixup import Mixup
from mmmix.models.losses.functional import mixed_cross_entropy
from mmmix.models.mix_blocks import (PixelMixBlock, forward_to_stage, mask_lam_loss,
                                     stage_channels, stage_count)
from mmmix.registry import MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import ConfigError, StrictKwargs, check_choice, check_range

EVAL_MODELS = ('student', 'teacher')


def _lerp_pairs(inputs: Tensor, index: Tensor, weight) -> Tensor:
    """``weight * x + (1 - weight) * x[index]`` out of place (``weight`` a
    mask ``[N,1,H,W]`` or a number); ``inputs`` is left untouched."""
    if torch.is_tensor(weight):
        weight = weight.to(inputs.dtype)
    return torch.lerp(inputs.index_select(0, index), inputs, weight)


@MODELS.register_module()
class AutoMix(StrictKwargs, ImageClassifier):
    """AutoMix classifier: a student (``backbone``/``neck``/``head``), its
    momentum teacher (an EMA copy, :class:`~mmmix.engine.AutoMixEMA`) and a
    Mix Block (:class:`~mmmix.models.PixelMixBlock`).

    One training iteration (``loss``):

    1. update the teacher from the student (EMA, paper momentum 0.999 for the
       first ``momentum_warmup`` of the iterations, then a cosine to
       ``end_momentum``);
    2. draw two independent ``(lam, index)`` pairs, ``mb`` and ``bb``,
       ``lam ~ Beta(alpha, alpha)``;
    3. the teacher computes the clean batch's features only up to
       ``mix_stage``, under ``no_grad``;
    4. Mix Block loss: mask ``m_mb`` with gradient, ``x_mb`` through the
       frozen teacher (backbone, neck, head), mixed CE, plus the mask loss
       ``l_lam = gamma * max(|lam - mean(m)| - eps, 0)``; it reaches only the
       Mix Block (through the pixels of ``x_mb``); ``mask_lam_gap`` (mean
       ``|mean(m) - lam|``) and ``mask_spatial_std`` (mean per-image std of
       ``m``, 0 for a flat Mixup-like mask) are logged with the losses;
    5. backbone loss: mask ``m_bb`` built under ``no_grad`` (plain Mixup when
       ``lam_bb`` is outside ``[lam_margin, 1 - lam_margin]``), the student's
       ``head.loss`` on ``x_bb`` with the full mix information (MCE or DM,
       :class:`~mmmix.models.MixupClsHead`), plus ``clean_loss_weight`` x CE on
       the clean batch (0 skips that pass).

    The losses are returned together; their gradients reach disjoint
    parameter sets, so one backward serves both optimizer modes of
    :class:`~mmmix.engine.AutoMixOptimWrapperConstructor` (required), and
    mmengine's own ``train_step`` (plain or DDP-wrapped model) is used as is.

    Checkpoint layout: the student keeps ``backbone.``, ``neck.``, ``head.``
    (a plain ``ImageClassifier`` or mmdet's ``Pretrained(prefix='backbone.')``
    takes them as they are); the teacher is under ``teacher.module.`` (its
    schedule position in ``teacher.steps``) and the Mix Block under
    ``mix_block.``.

    Evaluation (``predict``) uses the student, or the teacher with
    ``eval_model='teacher'``; the log and each result's metainfo
    ``eval_model`` say which.

    Args:
        backbone, neck, head: the student, as :class:`ImageClassifier`; the
            head must take mix information (``MixupClsHead`` with MCE or DM).
        mix_block (dict): a ``PixelMixBlock`` config.
        mix_stage (int): backbone stage (0-based ``out_indices`` numbering)
            whose teacher features feed the Mix Block; 2 = ResNet ``layer3``.
        alpha (float): ``lam ~ Beta(alpha, alpha)`` for both draws (2.0).
        lam_margin (float): below it (or above ``1 - lam_margin``) the
            backbone draw uses plain Mixup (0.08).
        mask_gamma, mask_eps (float): ``l_lam``'s weight and tolerance (0.1, 0.1).
        mask_gamma_anneal (bool): cosine-anneal ``mask_gamma`` to 0 over
            training (the ImageNet setting).
        momentum, end_momentum, momentum_warmup: teacher schedule, paper
            convention (``teacher = m * teacher + (1 - m) * student``).
        clean_loss_weight (float): weight of the clean CE (1.0).
        eval_model (str): ``'student'`` (default) or ``'teacher'``.
        sync_teacher_buffers (bool): average the teacher's BN statistics over
            ranks at every update.
        mix_seed (int, optional): seeds the draws (else the global RNG).
    """

    student_parts = ('backbone', 'neck', 'head')

    def __init__(self, backbone: dict, neck: Optional[dict] = None, head: Optional[dict] = None,
                 mix_block: Optional[dict] = None, mix_stage: int = 2, alpha: float = 2.0,
                 lam_margin: float = 0.08, mask_gamma: float = 0.1, mask_eps: float = 0.1,
                 mask_gamma_anneal: bool = False, momentum: float = 0.999,
                 end_momentum: float = 0.999999, momentum_warmup: float = 0.1,
                 clean_loss_weight: float = 1.0, eval_model: str = 'student',
                 sync_teacher_buffers: bool = True, mix_seed: Optional[int] = None,
                 pretrained: Optional[str] = None, train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg: Optional[dict] = None):
        name = type(self).__name__
        if train_cfg and train_cfg.get('augments'):
            raise ConfigError(f'{name}: train_cfg.augments would mix the batch a second time; '
                              'AutoMix mixes with its Mix Block')
        if head is None or mix_block is None:
            raise ConfigError(f"{name}: 'head' and 'mix_block' are required")
        mix_loss = head.get('mix_loss', {}) if isinstance(head, dict) else {}
        if str(mix_loss.get('type', '')).split('.')[-1] == 'SUMixLoss':
            raise ConfigError(f'{name}: SUMixLoss re-estimates lam for hand-crafted masks and '
                              'needs a clean pass of its own; it is not defined for learned '
                              'masks. Use MixedCrossEntropyLoss or DecoupledMixupLoss')
        check_range('alpha', alpha, low=0, low_inclusive=False, owner=name)
        check_range('lam_margin', lam_margin, 0, 0.5, owner=name, high_inclusive=False)
        check_range('mask_gamma', mask_gamma, low=0, owner=name)
        check_range('mask_eps', mask_eps, 0, 1, owner=name)
        check_range('clean_loss_weight', clean_loss_weight, low=0, owner=name)
        check_choice('eval_model', eval_model, EVAL_MODELS, owner=name)
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         train_cfg=train_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if not hasattr(self.head, 'mix_loss_module'):
            raise ConfigError(f'{name}: the head must take mix information (MixupClsHead), '
                              f'got {type(self.head).__name__}')
        n_stages = stage_count(self.backbone, name)
        if isinstance(mix_stage, bool) or not isinstance(mix_stage, int) \
                or not 0 <= mix_stage < n_stages:
            raise ConfigError(f'{name}: mix_stage={mix_stage!r} is out of range: '
                              f'{type(self.backbone).__name__} has stages 0..{n_stages - 1} '
                              '(0-based, as out_indices)')
        self.mix_stage = mix_stage
        if isinstance(mix_block, dict):
            mix_block = MODELS.build(mix_block)
        if not isinstance(mix_block, PixelMixBlock):
            raise ConfigError(f'{name}: mix_block must be a PixelMixBlock, '
                              f'got {type(mix_block).__name__}')
        channels = stage_channels(self.backbone, mix_stage)
        if mix_block.in_channels != channels:
            raise ConfigError(f'{name}: mix_block.in_channels={mix_block.in_channels} does not '
                              f'match the {channels} channels of backbone stage {mix_stage}')
        self.mix_block = mix_block
        self.teacher = AutoMixEMA(self._student(), momentum=momentum,
                                  end_momentum=end_momentum, warmup_ratio=momentum_warmup,
                                  sync_buffers=sync_teacher_buffers, owner=name)
        self.lam_margin = float(lam_margin)
        self.mask_gamma, self.mask_eps = float(mask_gamma), float(mask_eps)
        self.mask_gamma_anneal = bool(mask_gamma_anneal)
        self.clean_loss_weight = float(clean_loss_weight)
        self.eval_model = eval_model
        # draws lam (batch-wise) and the permutation in one place (BaseMixer)
        self._sampler = Mixup(alpha=alpha, lam_mode='batch', seed=mix_seed)
        self._announced = False
        setattr(self, RECORD_FLAG, 0)
        self._mix_record = None

    # ------------------------------------------------------------- helpers
    def _student(self) -> nn.ModuleDict:
        """The student's parts as one module (a view, not a copy)."""
        return nn.ModuleDict({k: getattr(self, k) for k in self.student_parts
                              if getattr(self, k, None) is not None})

    def current_mask_gamma(self) -> float:
        """``mask_gamma``, cosine-annealed to 0 over ``max_iters`` if asked."""
        if not self.mask_gamma_anneal:
            return self.mask_gamma
        hub = MessageHub.get_current_instance()
        it, total = hub.get_info('iter'), hub.get_info('max_iters')
        if not total:
            return self.mask_gamma
        progress = min(max(float(it or 0) / total, 0.), 1.)
        return self.mask_gamma * 0.5 * (1. + math.cos(math.pi * progress))

    def _draw(self, n: int, device):
        g = self._sampler.generator
        lam = self._sampler.sample_lam(n, g).to(device)
        index = self._sampler.sample_index(n, g).to(device)
        return lam, index

    def _teacher_logits(self, inputs: Tensor) -> Tensor:
        parts = self.teacher.module
        with self.teacher.frozen_statistics():
            feats = parts['backbone'](inputs)
            if 'neck' in parts:
                feats = parts['neck'](feats)
            return parts['head'](feats)

    def pop_mix_record(self):
        """The detached samples kept for :class:`~mmmix.engine.AutoMixMaskVisHook`
        (None when none were asked for), cleared on read."""
        record, self._mix_record = self._mix_record, None
        return record

    def _keep_record(self, k, inputs, mb, bb):
        k = min(k, inputs.shape[0])
        cpu = lambda t: None if t is None else t[:k].detach().float().cpu()  # noqa: E731
        rec = dict(x=cpu(inputs))
        for tag, (lam, index, mask, mixed) in (('mb', mb), ('bb', bb)):
            if mask is None:  # plain-Mixup fallback: the weight of x is lam everywhere
                mask = lam.view(-1, 1, 1, 1).expand(-1, 1, *inputs.shape[-2:])
            rec.update({f'partner_{tag}': cpu(inputs.index_select(0, index)),
                        f'mask_{tag}': cpu(mask), f'mixed_{tag}': cpu(mixed),
                        f'lam_{tag}': cpu(lam)})
        self._mix_record = rec

    # ---------------------------------------------------------------- train
    def train_step(self, data, optim_wrapper):
        check_optim_wrapper(optim_wrapper)
        return super().train_step(data, optim_wrapper)

    # The steps of one iteration (``loss``), also timed one by one by
    # tools/benchmarks/bench_automix_breakdown.py.
    def teacher_features(self, inputs: Tensor) -> Tensor:
        """The teacher's features of the clean batch at ``mix_stage`` (no_grad)."""
        with torch.no_grad(), self.teacher.frozen_statistics():
            return forward_to_stage(self.teacher.module['backbone'], inputs, self.mix_stage)

    def mix_block_loss(self, inputs: Tensor, labels: Tensor, z: Tensor, lam: Tensor,
                       index: Tensor, mode: str):
        """The Mix Block's losses (mask with gradient, ``x_mb`` through the
        frozen teacher, ``l_lam``) plus the logged mask statistics; returns
        ``(losses, mask, x_mb)``."""
        mask = self.mix_block(z, lam, index, inputs.shape[-2:], mode)
        mixed = _lerp_pairs(inputs, index, mask)
        losses = dict(
            loss_mix_block=mixed_cross_entropy(self._teacher_logits(mixed), labels,
                                               labels[index], lam),
            loss_mask=mask_lam_loss(mask, lam, self.current_mask_gamma(), self.mask_eps))
        with torch.no_grad():  # logged to watch the masks develop (not losses: not summed)
            flat = mask.detach().flatten(1)
            losses['mask_lam_gap'] = (flat.mean(1) - lam.to(flat)).abs().mean()
            losses['mask_spatial_std'] = flat.std(1).mean()
        return losses, mask, mixed

    def backbone_input(self, inputs: Tensor, labels: Tensor, z: Tensor, lam: Tensor,
                       index: Tensor, mode: str):
        """``x_bb`` from the detached mask (built without a graph), or plain
        Mixup outside the ``lam_margin`` band; returns ``(x_bb, mask, MixInfo)``
        (``mask`` None for the Mixup fallback)."""
        share = float(lam[0])
        if self.lam_margin <= share <= 1. - self.lam_margin:
            with torch.no_grad():
                mask = self.mix_block(z, lam, index, inputs.shape[-2:], mode)
            mixed = _lerp_pairs(inputs, index, mask)
        else:
            mask, mixed = None, _lerp_pairs(inputs, index, share)
        info = MixInfo(y_a=labels, y_b=labels[index], lam=lam, index=index, mask=mask)
        return mixed, mask, info

    def loss(self, inputs: Tensor, data_samples: List[DataSample]) -> dict:
        self.teacher.update_parameters(self._student())
        n = inputs.shape[0]
        labels = torch.cat([ds.gt_label for ds in data_samples]).to(inputs.device)
        lam_mb, idx_mb = self._draw(n, inputs.device)
        lam_bb, idx_bb = self._draw(n, inputs.device)
        mode = self.mix_block.pick_mode(self._sampler.generator)
        z = self.teacher_features(inputs)
        # Mix Block: gradient through the mask and the frozen teacher
        losses, mask_mb, x_mb = self.mix_block_loss(inputs, labels, z, lam_mb, idx_mb, mode)
        # backbone: detached mask, plus the clean CE
        x_bb, mask_bb, info = self.backbone_input(inputs, labels, z, lam_bb, idx_bb, mode)
        for key, value in self.head.loss(self.extract_feat(x_bb), data_samples,
                                         mix_info=info).items():
            losses['loss_mix' if key == 'loss' else key] = value
        if self.clean_loss_weight > 0:
            clean = self.head.loss(self.extract_feat(inputs), data_samples)
            losses['loss_clean'] = self.clean_loss_weight * clean.pop('loss')
            losses.update({f'clean_{k}': v for k, v in clean.items()})
        record = getattr(self, RECORD_FLAG, 0)
        if record:
            self._keep_record(record, inputs, (lam_mb, idx_mb, mask_mb, x_mb),
                              (lam_bb, idx_bb, mask_bb, x_bb))
        return losses

    # ----------------------------------------------------------------- eval
    def train(self, mode: bool = True):
        if mode:
            self._announced = False
        return super().train(mode)

    def predict(self, inputs: Tensor, data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        if not self._announced:
            MMLogger.get_current_instance().info(
                f'AutoMix: evaluating the {self.eval_model} (eval_model={self.eval_model!r})')
            self._announced = True
        if self.eval_model == 'student':
            results = super().predict(inputs, data_samples, **kwargs)
        else:
            parts = self.teacher.module
            feats = parts['backbone'](inputs)
            if 'neck' in parts:
                feats = parts['neck'](feats)
            results = parts['head'].predict(feats, data_samples, **kwargs)
        for r in results:
            r.set_field(self.eval_model, 'eval_model', field_type='metainfo')
        return results


def check_optim_wrapper(optim_wrapper) -> None:
    """AutoMix needs the Mix Block's optimizer (or parameter group) from
    :class:`~mmmix.engine.AutoMixOptimWrapperConstructor`."""
    if getattr(optim_wrapper, MODE_ATTR, None) is None:
        raise ConfigError(
            "AutoMix: the Mix Block has no optimizer: set optim_wrapper's "
            "constructor='AutoMixOptimWrapperConstructor' with mix_block=dict(optimizer=...) "
            '(its own optimizer) or mix_block=dict(lr_mult=...) (a parameter group)')


__all__: Sequence[str] = ['AutoMix', 'check_optim_wrapper']
