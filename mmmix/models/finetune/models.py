"""Fine-tuning recipes from a pretrained backbone, each optionally with the
Decoupled-Mixup term DM(CE) (Liu et al., NeurIPS 2023, arXiv:2203.10761):

* :class:`FineTuning`: plain fine-tuning on the labeled subset;
* :class:`CoTuning`: You et al., "Co-Tuning for Transfer Learning",
  NeurIPS 2020: the source classifier is kept and trained on soft source
  targets ``p(y_s | y_t)`` (the category relationship);
* :class:`SelfTuning`: Wang et al., "Self-Tuning for Data-Efficient Deep
  Learning", ICML 2021: labeled CE plus pseudo-group contrast (PGC) over a
  per-class queue of keys from a momentum encoder, on labeled (true labels)
  and unlabeled (pseudo labels) samples.

The backbone is loaded at ``init_weights()`` (what mmengine's Runner calls
before training) from ``pretrained_backbone``, a LOCAL checkpoint in
mmpretrain or torchvision format (:mod:`mmmix.models.finetune.pretrained`).
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from mmengine import dist
from mmengine.hooks import Hook
from mmengine.logging import MMLogger
from mmengine.model import ExponentialMovingAverage
from torch import Tensor, nn

from mmmix.models.classifiers.mixup_classifier import MixupClassifier
from mmmix.models.losses.semisup import (ASYM_SIDES, asymmetric_lam, labeled_decoupled_loss,
                                         soft_cross_entropy)
from mmmix.models.semisup.base import SemiSupClassifier, build_single_mixer
from mmmix.registry import HOOKS, MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import ConfigError, check_choice, check_range
from .pretrained import FORMATS, load_pretrained


class PretrainedBackboneMixin:
    """``pretrained_backbone`` / ``pretrained_format`` handling shared by the
    recipes; ``source_head()`` names the module that takes the checkpoint's
    classifier (Co-Tuning) or ``None``."""

    def _init_pretrained(self, path: Optional[str], fmt: str):
        check_choice('pretrained_format', fmt, FORMATS, owner=type(self).__name__)
        if path is not None and not isinstance(path, str):
            raise ConfigError(f'{type(self).__name__}: pretrained_backbone must be a path or '
                              f'None, got {path!r}')
        self.pretrained_backbone = path
        self.pretrained_format = fmt
        self.pretrained_report = None

    def source_head(self) -> Optional[nn.Module]:
        return None

    def load_pretrained_backbone(self) -> Optional[dict]:
        """Load the checkpoint (if any) and log what was loaded."""
        if self.pretrained_backbone is None:
            return None
        self.pretrained_report = load_pretrained(self.pretrained_backbone, self.backbone,
                                                 self.source_head(), self.pretrained_format)
        MMLogger.get_current_instance().info(
            f'{type(self).__name__}: loaded {self.pretrained_report}')
        return self.pretrained_report


@MODELS.register_module()
class FineTuning(PretrainedBackboneMixin, MixupClassifier):
    """Fine-tuning of a pretrained backbone on the labeled data.

    A :class:`MixupClassifier` whose backbone starts from a local checkpoint:
    ``mixers='vanilla'`` is plain fine-tuning; ``mixers=[Mixup]`` with the
    head's ``mix_loss=DecoupledMixupLoss`` is "+DM": ``MCE + eta * DM`` on
    mixed labeled batches, the supervised DM(CE) of the slides.

    Args:
        pretrained_backbone (str, optional): local checkpoint path.
        pretrained_format (str): ``'auto'``, ``'mmpretrain'`` or ``'torchvision'``.
        Others: as :class:`MixupClassifier` (``mixers`` defaults to vanilla).
    """

    def __init__(self, *args, mixers='vanilla', pretrained_backbone: Optional[str] = None,
                 pretrained_format: str = 'auto', **kwargs):
        self._init_pretrained(pretrained_backbone, pretrained_format)
        super().__init__(*args, mixers=mixers, **kwargs)

    def init_weights(self):
        super().init_weights()
        self.load_pretrained_backbone()


def relationship_from_sums(sums: Tensor, counts: Tensor) -> Tensor:
    """Rows ``p(y_s | y_t = c) = sums[c] / counts[c]``; uniform for a class
    without samples. Every row sums to 1."""
    rel = sums / counts.clamp_min(1).unsqueeze(1).to(sums)
    empty = counts == 0
    if empty.any():
        rel[empty] = 1. / sums.shape[1]
    return rel / rel.sum(1, keepdim=True)


@MODELS.register_module()
class CoTuning(FineTuning):
    """Co-Tuning (You et al., NeurIPS 2020).

    ``loss = CE(head(f), y_t) + lambda_co * CE(source_head(f), p(y_s | y_t))``
    where ``source_head`` is the pretrained checkpoint's classifier (kept and
    trained) and ``p(y_s | y_t)`` the category relationship, estimated once
    before training by the paper's direct approach: the mean source softmax
    of the pretrained model over the target training samples of each class
    (:meth:`estimate_relationship`, run by :class:`CoTuningRelationHook`).
    With a mixer the source target is mixed like the labels
    (``lam * r[y_a] + (1 - lam) * r[y_b]``); the target head's mixed loss is
    the head's (MCE or DM(CE)).

    Args:
        source_classes (int): classes of the pretrained classifier (1000 for
            ImageNet checkpoints).
        lambda_co (float): weight of the relationship loss; 2.3 is the
            trade-off used by the authors' released code (our reading; the
            paper tunes it per dataset).
        Others: as :class:`FineTuning`.
    """

    def __init__(self, *args, source_classes: int = 1000, lambda_co: float = 2.3, **kwargs):
        check_range('source_classes', source_classes, 1, owner='CoTuning')
        check_range('lambda_co', lambda_co, 0, owner='CoTuning')
        super().__init__(*args, **kwargs)
        for m in self.mixers:
            if m is not None and m.requires:
                raise ConfigError(f'CoTuning: mixer {type(m).__name__} requires '
                                  f'{list(m.requires)}; Co-Tuning takes mixers without needs')
        in_channels = getattr(self.head, 'in_channels', None)
        if in_channels is None:
            raise ConfigError('CoTuning: the head must have in_channels (a linear head)')
        self.source_fc = nn.Linear(in_channels, int(source_classes))
        self.lambda_co = float(lambda_co)
        num_classes = self.head.num_classes
        self.register_buffer('relationship', torch.full((num_classes, int(source_classes)),
                                                        1. / source_classes))
        self.register_buffer('relation_ready', torch.zeros((), dtype=torch.bool))

    def source_head(self) -> nn.Module:
        return self.source_fc

    def source_logits(self, feats) -> Tensor:
        return self.source_fc(self.head.pre_logits(feats))

    @torch.no_grad()
    def estimate_relationship(self, batches, max_batches: Optional[int] = None) -> Tensor:
        """Set ``relationship`` from labeled batches (dicts as a dataloader
        yields them); the model is in eval mode meanwhile."""
        was = self.training
        self.eval()
        c_t, c_s = self.relationship.shape
        sums = self.relationship.new_zeros(c_t, c_s, dtype=torch.float64)
        counts = torch.zeros(c_t, dtype=torch.long, device=sums.device)
        for i, batch in enumerate(batches):
            if max_batches is not None and i >= max_batches:
                break
            data = self.data_preprocessor(batch, False)
            labels = self._labels(data['data_samples'], sums.device)
            probs = torch.softmax(self.source_logits(self.extract_feat(data['inputs'])).double(),
                                  dim=1)
            sums.index_add_(0, labels, probs)
            counts += torch.bincount(labels, minlength=c_t)
        if dist.is_distributed():
            dist.all_reduce(sums)
            dist.all_reduce(counts)
        self.relationship.copy_(relationship_from_sums(sums, counts).to(self.relationship))
        self.relation_ready.fill_(True)
        self.train(was)
        return self.relationship

    def loss(self, inputs: Tensor, data_samples) -> dict:
        if not bool(self.relation_ready):
            raise RuntimeError('CoTuning: the category relationship is not set; add '
                               "custom_hooks=[dict(type='CoTuningRelationHook')] or call "
                               'estimate_relationship() before training')
        labels = self._labels(data_samples, inputs.device)
        target = self.relationship[labels]
        mixer = self.pick_mixer()
        if mixer is None:
            feats = self.extract_feat(inputs)
            losses = self.head.loss(feats, data_samples)
        else:
            result = mixer.sample(inputs, with_mask=getattr(self.head, 'needs_mask', False))
            feats = self.extract_feat(result.inputs)
            y_a, y_b = result.pair_labels(labels)
            info = MixInfo(y_a=y_a, y_b=y_b, lam=result.lam, index=result.index,
                           mask=result.mask, extra={})
            losses = self.head.loss(feats, data_samples, mix_info=info)
            target = result.mix_scores(target)
        losses['loss_co'] = self.lambda_co * soft_cross_entropy(self.source_logits(feats), target)
        return losses


@HOOKS.register_module()
class CoTuningRelationHook(Hook):
    """Before training, estimate Co-Tuning's relationship from the training
    dataloader with the pretrained weights (once: it is saved with the model,
    so a resumed run keeps it). ``max_batches`` defaults to one pass over the
    dataset (the loader may be infinite)."""

    priority = 'LOW'

    def __init__(self, max_batches: Optional[int] = None):
        self.max_batches = max_batches

    def before_train(self, runner) -> None:
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        if not isinstance(model, CoTuning):
            raise ConfigError(f'CoTuningRelationHook needs a CoTuning model, got '
                              f'{type(model).__name__}')
        if bool(model.relation_ready):
            return
        loader = runner.train_dataloader
        n = self.max_batches
        if n is None:
            n = math.ceil(len(loader.dataset) / max(loader.batch_size or 1, 1))
            if dist.is_distributed():
                n = math.ceil(n / dist.get_world_size())
        model.estimate_relationship(loader, max_batches=n)
        runner.logger.info(f'CoTuning: relationship estimated from {n} batches')


def pgc_loss(q: Tensor, k: Tensor, labels: Tensor, queue: Tensor, temperature: float) -> Tensor:
    """Pseudo-group contrast (Self-Tuning), mean over the batch.

    For a query ``q`` (normalised) of class ``c`` the logits are
    ``[q.k, q.queue[c, :], q.queue[c', :] for c' != c] / T``; the target puts
    ``1 / (K + 1)`` on the ``K + 1`` positives (its own key and the queue of
    its class), 0 on the negatives. The loss is the cross-entropy to that
    target (the authors' KL divergence minus its constant entropy).
    """
    n = q.shape[0]
    c, kq, _ = queue.shape
    sims = torch.einsum('nd,ckd->nck', q, queue.to(q))  # [N, C, K]
    own = sims[torch.arange(n, device=q.device), labels]  # [N, K]
    other = torch.ones(n, c, dtype=torch.bool, device=q.device)
    other[torch.arange(n, device=q.device), labels] = False
    neg = sims[other].reshape(n, (c - 1) * kq)
    logits = torch.cat([(q * k).sum(1, keepdim=True), own, neg], dim=1) / temperature
    logp = F.log_softmax(logits.float(), dim=1)
    return -logp[:, :kq + 1].mean(1).mean()


class _KeyEncoder(nn.Module):
    """backbone -> neck -> projector, L2-normalised (query / key network)."""

    def __init__(self, backbone, neck, projector):
        super().__init__()
        self.backbone = backbone
        self.neck = neck if neck is not None else nn.Identity()
        self.projector = projector

    def forward(self, x: Tensor) -> Tensor:
        feats = self.neck(self.backbone(x))
        feats = feats[-1] if isinstance(feats, (tuple, list)) else feats
        return F.normalize(self.projector(feats), dim=1)


@MODELS.register_module()
class SelfTuning(PretrainedBackboneMixin, SemiSupClassifier):
    """Self-Tuning (Wang et al., ICML 2021), optionally with DM(CE).

    Batches are semi-supervised (:class:`~mmmix.datasets.SemiSupDataset`):
    every sample, labeled or not, has two views ``weak`` (query, student)
    and ``weak2`` (key, momentum encoder). Per step:

    1. ``loss_x = CE(head(f(x_q)), y)``;
    2. keys ``k = normalize(projector_ema(f_ema(x_k)))``, queries
       ``q = normalize(projector(f(x_q)))``;
    3. ``loss_pgc_l = PGC(q_l, k_l, y, queue)``, then the labeled keys enter
       their classes' queues; pseudo-labels ``argmax head(f(u_q))`` (no
       gradient); ``loss_pgc_u = PGC(q_u, k_u, pseudo, queue)``, then the
       unlabeled keys enter the queues of their pseudo classes.

    With ``mixers`` (+DM): each labeled sample is mixed with a random
    unlabeled query view, ``lam * x_l + (1 - lam) * u``, ``lam`` folded by
    ``asym`` (default ``'unlabeled'``: ``lam <= 0.5``, the slides' best
    ablation arm "DM(CE)+AS(lam <= 0.5)"); ``loss_mix = mix_weight *
    mean(MCE + dm_eta * DM of the labeled class)`` with the partner's
    pseudo-label.

    Args:
        projector_dim (int): projector output size (1024, the authors' code).
        queue_size (int): keys per class ``K`` (32, the authors' code).
        temperature (float): PGC temperature (0.07, the authors' code).
        key_momentum (float): momentum encoder update in mmengine's convention
            (0.001 = the authors' decay 0.999).
        mixers (list[dict], optional): one mixer for +DM (e.g. ``Mixup``).
        asym (str): ``'unlabeled'``, ``'labeled'`` or ``'none'``.
        dm_eta (float): weight of the decoupled term (1.0; not given by the
            sources); ``mix_loss='mce'`` drops it (the "+Mixup" row).
        mix_weight (float): weight of ``loss_mix``.
        mix_seed (int, optional): seeds partners and ``lam``.
        pretrained_backbone, pretrained_format: see :class:`FineTuning`.
    """

    views = ('weak', 'weak2')

    def __init__(self, *args, projector_dim: int = 1024, queue_size: int = 32,
                 temperature: float = 0.07, key_momentum: float = 0.001, mixers=None,
                 mix_loss: str = 'dm', asym: str = 'unlabeled', dm_eta: float = 1.0,
                 mix_weight: float = 1.0, mix_seed: Optional[int] = None,
                 pretrained_backbone: Optional[str] = None, pretrained_format: str = 'auto',
                 **kwargs):
        owner = 'SelfTuning'
        check_range('projector_dim', projector_dim, 1, owner=owner)
        check_range('queue_size', queue_size, 1, owner=owner)
        check_range('temperature', temperature, 0, owner=owner, low_inclusive=False)
        check_range('key_momentum', key_momentum, 0, 1, owner=owner, low_inclusive=False,
                    high_inclusive=False)
        check_choice('mix_loss', mix_loss, ('mce', 'dm'), owner=owner)
        check_choice('asym', asym, ASYM_SIDES, owner=owner)
        check_range('dm_eta', dm_eta, 0, owner=owner)
        check_range('mix_weight', mix_weight, 0, owner=owner)
        if kwargs.get('teacher', 'none') != 'none':
            raise ConfigError(f"SelfTuning: teacher={kwargs['teacher']!r}; pseudo-labels come "
                              "from the model itself (the momentum encoder only gives keys), "
                              "use teacher='none'")
        self._init_pretrained(pretrained_backbone, pretrained_format)
        super().__init__(*args, **kwargs)
        in_channels = getattr(self.head, 'in_channels', None)
        if in_channels is None:
            raise ConfigError('SelfTuning: the head must have in_channels (a linear head)')
        self.projector = nn.Linear(in_channels, int(projector_dim))
        self.temperature = float(temperature)
        self.key_momentum = float(key_momentum)
        self.mixer = build_single_mixer(mixers, owner)
        self.mix_loss, self.asym = mix_loss, asym
        self.dm_eta, self.mix_weight = float(dm_eta), float(mix_weight)
        self._mix_gen = None if mix_seed is None else torch.Generator().manual_seed(int(mix_seed))
        num_classes = self.head.num_classes
        g = torch.Generator().manual_seed(0)
        self.register_buffer('queue', F.normalize(
            torch.randn(num_classes, int(queue_size), int(projector_dim), generator=g), dim=2))
        self.register_buffer('queue_ptr', torch.zeros(num_classes, dtype=torch.long))
        self.key_encoder = None
        self._make_key_encoder()

    def _make_key_encoder(self):
        net = _KeyEncoder(self.backbone, getattr(self, 'neck', None), self.projector)
        self.key_encoder = ExponentialMovingAverage(net, momentum=self.key_momentum)

    def init_weights(self):
        super().init_weights()
        self.load_pretrained_backbone()
        self._make_key_encoder()  # the momentum encoder starts at the (pretrained) student

    def query(self, feats) -> Tensor:
        return F.normalize(self.projector(self.head.pre_logits(feats)), dim=1)

    @torch.no_grad()
    def keys(self, x: Tensor) -> Tensor:
        was = self.key_encoder.training
        self.key_encoder.train(False)
        k = self.key_encoder.module(x)
        self.key_encoder.train(was)
        return k.detach()

    @torch.no_grad()
    def enqueue(self, keys: Tensor, labels: Tensor) -> None:
        """Write each key into its class's queue at the class pointer
        (gathered over ranks first), in batch order."""
        if dist.is_distributed():
            keys = torch.cat(dist.all_gather(keys.contiguous()))
            labels = torch.cat(dist.all_gather(labels.contiguous()))
        size = self.queue.shape[1]
        for key, c in zip(keys, labels.tolist()):
            p = int(self.queue_ptr[c])
            self.queue[c, p] = key.to(self.queue)
            self.queue_ptr[c] = (p + 1) % size

    def labeled_view(self, inputs, data_samples, view: str) -> Tensor:
        """The ``view`` inputs of the labeled samples, in the order of
        :meth:`split_batch`'s labeled rows (aligned through ``batch_pos``)."""
        weak = data_samples['weak']
        pos = [ds.metainfo['batch_pos'] for ds in weak if ds is not None and 'gt_label' in ds]
        rows = {ds.metainfo['batch_pos']: r for r, ds in enumerate(data_samples.get(view, []))}
        missing = [p for p in pos if p not in rows]
        if missing:
            raise ConfigError(f'SelfTuning: labeled samples at batch positions {missing} have '
                              f'no {view!r} view; add it to the labeled MultiBranch pipeline')
        return inputs[view][[rows[p] for p in pos]]

    def loss(self, inputs, data_samples) -> dict:
        self._begin_step()
        self.key_encoder.update_parameters(
            _KeyEncoder(self.backbone, getattr(self, 'neck', None), self.projector))
        x_l, y_l, u = self.split_batch(inputs, data_samples, self.views)
        x_lk = self.labeled_view(inputs, data_samples, 'weak2')
        b = x_l.shape[0]
        feats = self.extract_feat(torch.cat([x_l, u['weak']]))
        logits = self.head(feats)
        q = self.query(feats)
        k = self.keys(torch.cat([x_lk, u['weak2']]))
        pseudo = logits[b:].detach().argmax(1)
        losses = dict(loss_x=self.labeled_ce(logits[:b], y_l))
        losses['loss_pgc_l'] = pgc_loss(q[:b], k[:b], y_l, self.queue.clone(), self.temperature)
        self.enqueue(k[:b], y_l)
        losses['loss_pgc_u'] = pgc_loss(q[b:], k[b:], pseudo, self.queue.clone(),
                                        self.temperature)
        self.enqueue(k[b:], pseudo)
        if self.mixer is not None:
            losses['loss_mix'] = self.mix_weight * self.mixed_loss(x_l, y_l, u['weak'], pseudo)
        return losses

    def mixed_loss(self, x_l: Tensor, y_l: Tensor, u: Tensor, pseudo: Tensor) -> Tensor:
        """Mean over the labeled samples of the labeled-unlabeled mixed loss."""
        g = self._mix_gen if self._mix_gen is not None else self.mixer.generator
        b, m = x_l.shape[0], u.shape[0]
        lam = asymmetric_lam(self.mixer.sample_lam(b, g), self.asym)
        index = (torch.randperm(m, generator=g)[:b] if m >= b
                 else torch.randint(0, m, (b, ), generator=g)).to(x_l.device)
        result = self.mixer.mix(x_l.clone(), lam, index, source=u)
        return labeled_decoupled_loss(self.logits(result.inputs), y_l, pseudo[index],
                                      result.lam, eta=self.dm_eta, dm=self.mix_loss == 'dm',
                                      reduction='mean')


__all__ = ['FineTuning', 'CoTuning', 'CoTuningRelationHook', 'SelfTuning', 'pgc_loss',
           'relationship_from_sums']
