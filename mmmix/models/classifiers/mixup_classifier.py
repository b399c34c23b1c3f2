"""MixupClassifier: an ImageClassifier that mixes each training batch with one of
several mixers and hands the head the full mix information."""
from contextlib import contextmanager
from typing import Callable, Dict, List, Optional, Sequence, Union

import mmengine.dist as mdist
import torch
import torch.nn.functional as F
from mmpretrain.models.classifiers import ImageClassifier
from mmpretrain.structures import DataSample

from mmmix.mixers.attentivemix import GuideNetwork
from mmmix.mixers.base import MIX_SHARES_KEY, BaseMixer
from mmmix.mixers.manifoldmix import StageAccess, backbone_stages
from mmmix.registry import BATCH_AUGMENTS, MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import ConfigError, StrictKwargs, check_int, check_range

VANILLA = 'vanilla'


def clean_feats_provider(classifier, inputs: torch.Tensor, data_samples) -> tuple:
    """Features of the clean batch, computed before it is mixed (SUMix).

    The head's ``clean_grad`` decides the gradient: True back-propagates
    through the backbone (the paper); False runs the backbone under
    ``torch.no_grad`` so only the head learns from the clean pass. With
    gradient the pass reads a copy of ``inputs``, because mixers may paste
    into ``inputs`` in place afterwards.
    """
    if getattr(classifier.head, 'clean_grad', True) is not False:
        return classifier.extract_feat(inputs.clone())
    with torch.no_grad():
        return classifier.extract_feat(inputs)


def stages_provider(classifier, inputs: torch.Tensor, data_samples) -> StageAccess:
    """The backbone's stage modules with one-shot input rewriting (ManifoldMix)."""
    return StageAccess(backbone_stages(classifier.backbone))


@contextmanager
def untouched_buffers(module: torch.nn.Module):
    """Run a side pass through ``module`` in training mode without changing its
    buffers: BN running statistics and ``num_batches_tracked`` are restored
    afterwards (a copy of a few kilobytes for a ResNet-18)."""
    saved = [(b, b.detach().clone()) for b in module.buffers()]
    try:
        yield
    finally:
        with torch.no_grad():
            for b, value in saved:
                b.copy_(value)


def input_grad_provider(classifier, inputs: torch.Tensor, data_samples) -> torch.Tensor:
    """Gradient of the clean batch's cross-entropy with respect to the inputs
    ``[N,C,H,W]`` (PuzzleMix / Co-Mixup saliency; Kim et al., ICML 2020).

    One extra forward and input-only backward on the clean batch, in the
    model's current (training) mode. The model is left as it was: only the
    input gradient is computed (``torch.autograd.grad``, so no parameter
    ``.grad`` is touched and nothing reaches the training loss) and buffers
    (BN statistics) are restored. The result is detached.
    """
    labels = torch.cat([ds.gt_label for ds in data_samples]).to(inputs.device)
    x = inputs.detach().requires_grad_(True)
    with untouched_buffers(classifier), torch.enable_grad():
        logits = classifier.head(classifier.extract_feat(x))
        loss = F.cross_entropy(logits.float(), labels, reduction='sum')
        grad, = torch.autograd.grad(loss, x)
    return grad.detach()


def guide_feats_provider(classifier, inputs: torch.Tensor, data_samples) -> torch.Tensor:
    """``[N,C,h,w]`` features of the clean batch from the guiding network
    (AttentiveMix; the classifier's ``guide`` option), without gradient."""
    return classifier.guide.features(classifier, inputs)


def _mmmix_mixer(name: str) -> bool:
    cls = BATCH_AUGMENTS.module_dict.get(name)
    return isinstance(cls, type) and issubclass(cls, BaseMixer)


def build_mixers(mixers, mix_prob, owner='MixupClassifier'):
    """Build the mixer list and its probabilities, validating both.

    ``mixers`` is one config or a list; each item is a mixer config dict, a
    built mixer, or ``'vanilla'`` / ``dict(type='vanilla')`` (no mixing).
    ``mix_prob`` is ``None`` (uniform) or one probability per mixer, summing to 1.
    """
    if mixers is None:
        raise ConfigError(f"{owner}: 'mixers' is required (a mixer config or a list of them)")
    if not isinstance(mixers, (list, tuple)):
        mixers = [mixers]
    if len(mixers) == 0:
        raise ConfigError(f"{owner}: 'mixers' must not be empty")
    built: List[Optional[BaseMixer]] = []
    for i, cfg in enumerate(mixers):
        if isinstance(cfg, str):
            cfg = dict(type=cfg)
        if isinstance(cfg, dict) and str(cfg.get('type', '')).split('.')[-1].lower() == VANILLA:
            if len(cfg) > 1:
                raise ConfigError(
                    f"{owner}: mixers[{i}] 'vanilla' takes no options, got {dict(cfg)}")
            built.append(None)
            continue
        if isinstance(cfg, dict):
            name = cfg.get('type')
            if name is None:
                raise ConfigError(f"{owner}: mixers[{i}] has no 'type'")
            if BATCH_AUGMENTS.get(name) is None:
                valid = sorted(k for k, v in BATCH_AUGMENTS.module_dict.items()
                               if isinstance(v, type) and issubclass(v, BaseMixer))
                raise ConfigError(f"{owner}: unknown mixer type {name!r} in mixers[{i}]; "
                                  f"valid choices are {valid + [VANILLA]}")
            cfg = BATCH_AUGMENTS.build(cfg)
        if not isinstance(cfg, BaseMixer):
            name = type(cfg).__name__
            hint = (f"; write type='mmmix.{name}' (in a config whose default_scope is not "
                    f"'mmmix', {name!r} is {type(cfg).__module__.split('.')[0]}'s {name})"
                    if _mmmix_mixer(name) else '')
            raise ConfigError(
                f'{owner}: mixers[{i}] must be an mmmix mixer, got {name}{hint}')
        built.append(cfg)

    if mix_prob is None:
        probs = [1. / len(built)] * len(built)
    else:
        probs = list(mix_prob) if isinstance(mix_prob, (list, tuple)) else [mix_prob]
        if len(probs) != len(built):
            raise ConfigError(f"{owner}: 'mix_prob' has {len(probs)} entries but 'mixers' has "
                              f'{len(built)}; give one probability per mixer')
        for i, p in enumerate(probs):
            check_range(f'mix_prob[{i}]', p, low=0, owner=owner)
        if abs(sum(probs) - 1.) > 1e-6:
            raise ConfigError(f"{owner}: 'mix_prob'={probs} must be non-negative and sum to 1")
    return built, torch.tensor(probs, dtype=torch.float64)


@MODELS.register_module()
class MixupClassifier(StrictKwargs, ImageClassifier):
    """Image classifier trained on mixed batches.

    Each training iteration picks one of ``mixers`` with ``mix_prob``
    (``'vanilla'`` = no mixing), mixes the batch, and calls
    ``head.loss(feats, data_samples, mix_info=MixInfo(...))`` with
    ``y_a``, ``y_b = y_a[index]``, per-sample ``lam``, ``index`` and the mask.
    Heads that do not take ``mix_info`` (stock mmpretrain heads) get soft
    ``gt_score`` targets instead. Validation and test are those of
    :class:`mmpretrain.models.ImageClassifier`.

    Mixers declare what they need from the model in ``requires``; the
    classifier supplies it from :attr:`providers` (name -> callable
    ``(classifier, inputs, data_samples) -> value``). A head declares what
    it needs in ``mix_requires`` and gets it the same way in ``MixInfo.extra``.

    Args:
        mixers (dict | list): mixer configs (``BATCH_AUGMENTS``) and/or ``'vanilla'``.
        mix_prob (list[float], optional): one probability per mixer; uniform if None.
        mix_seed (int, optional): seeds the choice of the mixer per iteration.
        guide (dict, optional): the guiding network of mixers that require
            ``'guide_feats'`` (AttentiveMix): ``dict(type='self')`` (default),
            ``dict(type='ema', momentum=0.001)`` or ``dict(type='frozen',
            backbone=..., checkpoint='local.pth', prefix='backbone.')``; see
            :class:`mmmix.mixers.attentivemix.GuideNetwork`.
        Others: as :class:`mmpretrain.models.ImageClassifier`.
    """

    #: requirement name -> callable(classifier, inputs, data_samples) -> value
    providers: Dict[str, Callable] = {
        'clean_feats': clean_feats_provider,
        'stages': stages_provider,
        'input_grad': input_grad_provider,
        'guide_feats': guide_feats_provider,
    }

    def __init__(self, backbone: dict, neck: Optional[dict] = None, head: Optional[dict] = None,
                 mixers: Union[dict, str, Sequence] = None, mix_prob: Optional[Sequence] = None,
                 mix_seed: Optional[int] = None, guide: Optional[dict] = None,
                 pretrained: Optional[str] = None,
                 train_cfg: Optional[dict] = None, data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        if train_cfg and train_cfg.get('augments'):
            raise ConfigError("MixupClassifier: use 'mixers', not train_cfg.augments (batch "
                              'augments would mix the batch a second time)')
        self.mixers, self.mix_prob = build_mixers(mixers, mix_prob)
        super().__init__(backbone=backbone, neck=neck, head=head, pretrained=pretrained,
                         train_cfg=train_cfg, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self._mix_gen = None if mix_seed is None else torch.Generator().manual_seed(
            check_int('mix_seed', mix_seed, owner='MixupClassifier'))
        self._shared_choice = None  # decided at the first distributed pick
        for m in self.mixers:
            for req in (m.requires if m is not None else ()):
                if req not in self.providers:
                    raise ConfigError(
                        f'MixupClassifier: mixer {type(m).__name__} requires {req!r}, which this '
                        f'classifier cannot provide; it provides {sorted(self.providers)}')
            if m is not None and hasattr(m, 'check_model'):
                m.check_model(self)  # e.g. the backbone has the stages a mixer needs
        needs_guide = any(m is not None and 'guide_feats' in m.requires for m in self.mixers)
        if guide is not None and not needs_guide:
            raise ConfigError("MixupClassifier: 'guide' is set but no mixer uses guiding "
                              "features (only mixers requiring 'guide_feats' do)")
        if needs_guide:
            if guide is not None and not isinstance(guide, dict):
                raise ConfigError(f"MixupClassifier: 'guide' must be a dict with a 'type' "
                                  f'(one of self/ema/frozen), got {guide!r}')
            self.guide = GuideNetwork.from_cfg(guide, online=self.backbone)
        for req in self._head_requires():
            if req not in self.providers:
                raise ConfigError(
                    f'MixupClassifier: head {type(self.head).__name__} requires {req!r}, which '
                    f'this classifier cannot provide; it provides {sorted(self.providers)}')

    def init_weights(self):
        super().init_weights()
        guide = getattr(self, 'guide', None)
        if guide is not None:
            # EMA: start the average at the online model; frozen: a model-level
            # init_cfg re-initialised every conv, including the guide's
            guide.reset(self.backbone)

    # ------------------------------------------------------------------ helpers
    def _head_requires(self):
        return tuple(getattr(self.head, 'mix_requires', ()))

    def _head_takes_mix_info(self) -> bool:
        import inspect
        return 'mix_info' in inspect.signature(self.head.loss).parameters

    def pick_mixer(self) -> Optional[BaseMixer]:
        """Draw one mixer (``None`` = vanilla) with ``mix_prob``. Rank 0's draw
        is broadcast when the ranks must agree (:meth:`choice_is_shared`)."""
        if len(self.mixers) == 1:
            return self.mixers[0]
        i = torch.multinomial(self.mix_prob, 1, generator=self._mix_gen)
        if mdist.get_world_size() > 1 and self.choice_is_shared():
            mdist.broadcast(i, src=0)
        return self.mixers[int(i)]

    def choice_is_shared(self) -> bool:
        """Whether all ranks must use the same mixer in a step, because a
        collective may follow that only some ranks would enter: a mixer pairs
        across ranks (``dist_mode='global'``), or SyncBN layers make each extra
        pass of a mixer or its providers a collective. Decided once."""
        if self._shared_choice is None:
            self._shared_choice = any(
                m is not None and m.dist_mode == 'global' for m in self.mixers) or any(
                    type(m).__name__.endswith('SyncBatchNorm') for m in self.modules())
        return self._shared_choice

    def _provide(self, names, inputs, data_samples) -> dict:
        return {name: self.providers[name](self, inputs, data_samples) for name in names}

    @staticmethod
    def _labels(data_samples: List[DataSample], device) -> torch.Tensor:
        return torch.cat([ds.gt_label for ds in data_samples]).to(device)

    # --------------------------------------------------------------------- loss
    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample]) -> dict:
        guide = getattr(self, 'guide', None)
        if guide is not None and self.training:
            # once per training iteration, whichever mixer (or vanilla) it uses
            guide.update(self.backbone)
        mixer = self.pick_mixer()
        if mixer is None:
            return super().loss(inputs, data_samples)
        labels = self._labels(data_samples, inputs.device)
        context = self._provide(mixer.requires, inputs, data_samples)
        extra = self._provide(self._head_requires(), inputs, data_samples)
        try:
            result = mixer.sample(inputs, with_mask=getattr(self.head, 'needs_mask', False),
                                  **context)
            feats = self.extract_feat(result.inputs)
        finally:
            # context values may hold resources for the mixed forward (stage hooks)
            for value in context.values():
                if hasattr(value, 'release'):
                    value.release()
        y_a, y_b = result.pair_labels(labels)
        if result.shares is not None:  # multi-input mixers (Co-Mixup): exact label shares
            extra = dict(extra, **{MIX_SHARES_KEY: result.shares})
        info = MixInfo(y_a=y_a, y_b=y_b, lam=result.lam, index=result.index, mask=result.mask,
                       extra=extra)
        if self._head_takes_mix_info():
            return self.head.loss(feats, data_samples, mix_info=info)
        # stock head: soft targets
        num_classes = getattr(self.head, 'num_classes', None)
        onehot = torch.nn.functional.one_hot(labels, num_classes).float()
        scores = result.mix_scores(onehot)
        for ds, s in zip(data_samples, scores):
            ds.set_gt_score(s)
        return self.head.loss(feats, data_samples)
