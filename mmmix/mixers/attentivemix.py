"""AttentiveMix (Walawalkar et al., "Attentive CutMix: An Enhanced Data
Augmentation Approach for Deep Learning Based Image Classification", ICASSP
2020, arXiv:2003.13048), and the guiding networks that supply its features.

The partner's grid cells with the highest feature activation of a guiding
network are pasted into ``x``. The number of cells ``k`` follows ``lam``
(``k = round((1 - lam) * cells)``) and the returned ``lam`` is the share of the
image actually kept from ``x``.

Guiding network (:class:`GuideNetwork`, built by
:class:`~mmmix.models.MixupClassifier` from its ``guide`` option):

* ``dict(type='self')`` (default): the classifier's own backbone, run on the
  clean batch without gradient and with its buffers restored;
* ``dict(type='ema', momentum=0.001)``: an exponential moving average of the
  backbone (mmengine's convention: ``ema = (1 - momentum) * ema + momentum *
  online``), started at the online weights by ``init_weights`` and updated by
  the classifier once per training iteration (whichever mixer the iteration
  uses), before the batch is mixed;
* ``dict(type='frozen', backbone=..., checkpoint='path.pth', prefix='backbone.')``:
  a separately configured backbone loaded from a local checkpoint with
  :func:`mmmix.utils.compat.safe_load` (no download), frozen, in eval mode;
  loaded again after the classifier's ``init_weights`` (which would otherwise
  re-initialise it with a model-level ``init_cfg``).

Each type accepts only its own options (:data:`GUIDE_OPTIONS`); any other key
is a :class:`~mmmix.utils.ConfigError` naming it.
"""
import copy
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mmmix.registry import BATCH_AUGMENTS, MODELS
from mmmix.utils.validation import ConfigError, check_choice, check_range
from .base import BaseMixer, MixResult, blend_inplace, partners, rank_mask
from .manifoldmix import local_only

GUIDE_TYPES = ('self', 'ema', 'frozen')
#: the options each guide type takes (besides ``type``)
GUIDE_OPTIONS = {'self': (), 'ema': ('momentum', ), 'frozen': ('backbone', 'checkpoint', 'prefix')}


def last_featmap(outs, owner: str) -> Tensor:
    """The last output of a backbone, which must be a ``[N,C,h,w]`` map."""
    feat = outs[-1] if isinstance(outs, (list, tuple)) else outs
    if isinstance(feat, (list, tuple)):  # e.g. ViT (patch tokens, cls token)
        feat = feat[0]
    if not torch.is_tensor(feat) or feat.dim() != 4:
        shape = tuple(feat.shape) if torch.is_tensor(feat) else type(feat).__name__
        raise ConfigError(
            f'{owner}: the guiding backbone must output a [N,C,h,w] feature map, got {shape}; '
            "for a VisionTransformer guide set out_type='featmap'")
    return feat


class GuideNetwork(nn.Module):
    """Source of guiding features (see the module docstring)."""

    @classmethod
    def from_cfg(cls, cfg: Optional[dict], online: nn.Module) -> 'GuideNetwork':
        """Build from the classifier's ``guide`` option (``None``: ``type='self'``),
        rejecting options the chosen type does not take."""
        cfg = dict(cfg or dict(type='self'))
        kind = cfg.pop('type', 'self')
        check_choice('guide.type', kind, GUIDE_TYPES, owner='MixupClassifier')
        unknown = sorted(k for k in cfg if k not in GUIDE_OPTIONS[kind])
        if unknown:
            raise ConfigError(f'MixupClassifier: guide type {kind!r} does not take '
                              f'{unknown}; its options are {list(GUIDE_OPTIONS[kind])}')
        return cls(kind, online=online, **cfg)

    def __init__(self, kind: str = 'self', momentum: float = 0.001,
                 backbone: Optional[dict] = None, checkpoint: Optional[str] = None,
                 prefix: str = 'backbone.', online: Optional[nn.Module] = None):
        super().__init__()
        check_choice('guide.type', kind, GUIDE_TYPES, owner='MixupClassifier')
        self.kind = kind
        self.checkpoint, self.prefix = checkpoint, prefix
        self.net = None
        if kind == 'ema':
            check_range('guide.momentum', momentum, low=0, high=1, low_inclusive=False,
                        owner='MixupClassifier')
            self.net = copy.deepcopy(online)
        elif kind == 'frozen':
            if backbone is None or checkpoint is None:
                raise ConfigError("MixupClassifier: guide type 'frozen' needs 'backbone' (a "
                                  "config) and 'checkpoint' (a local path)")
            self.net = MODELS.build(backbone)
            self.load_checkpoint()
        elif kind == 'self' and (backbone is not None or checkpoint is not None):
            raise ConfigError("MixupClassifier: guide type 'self' takes no backbone/checkpoint")
        self.momentum = float(momentum)
        net = online if kind == 'self' else self.net
        if getattr(net, 'out_type', 'featmap') != 'featmap':
            raise ConfigError(
                f"MixupClassifier: the guiding backbone {type(net).__name__} outputs "
                f"out_type={net.out_type!r}, not a [N,C,h,w] feature map; set "
                "out_type='featmap' (or use a convolutional guide)")
        if self.net is not None:
            self.net.requires_grad_(False)
            self.net.eval()

    def load_checkpoint(self) -> None:
        """Load the frozen guide's weights from its local checkpoint (no download)."""
        from mmmix.utils.compat import safe_load
        state = safe_load(self.checkpoint)
        state = state.get('state_dict', state)
        if self.prefix:
            n = len(self.prefix)
            state = {k[n:]: v for k, v in state.items() if k.startswith(self.prefix)}
        missing, _ = self.net.load_state_dict(state, strict=False)
        if missing:
            raise ConfigError(f'MixupClassifier: guide checkpoint {self.checkpoint!r} lacks '
                              f'{len(missing)} backbone keys (prefix={self.prefix!r}), e.g. '
                              f'{missing[:3]}')

    @torch.no_grad()
    def reset(self, online: nn.Module) -> None:
        """After the classifier's ``init_weights``: start the EMA at ``online``,
        or load the frozen guide's checkpoint again."""
        if self.kind == 'ema':
            self.net.load_state_dict(online.state_dict())
        elif self.kind == 'frozen':
            self.load_checkpoint()

    def train(self, mode: bool = True):
        super().train(mode)
        if self.net is not None:
            self.net.eval()  # the guide always runs with its running statistics
        return self

    @torch.no_grad()
    def update(self, online: nn.Module) -> None:
        """EMA step towards ``online`` (only for ``type='ema'``; the classifier
        calls it once per training iteration)."""
        if self.kind != 'ema':
            return
        for p_ema, p in zip(self.net.parameters(), online.parameters()):
            p_ema.lerp_(p.detach(), self.momentum)
        for b_ema, b in zip(self.net.buffers(), online.buffers()):
            b_ema.copy_(b)

    @torch.no_grad()
    def features(self, classifier, inputs: Tensor) -> Tensor:
        """``[N,C,h,w]`` guiding features of the clean ``inputs``."""
        if self.kind == 'self':
            from mmmix.models.classifiers.mixup_classifier import untouched_buffers
            with untouched_buffers(classifier.backbone):
                outs = classifier.backbone(inputs)
        else:
            outs = self.net(inputs)
        return last_featmap(outs, 'MixupClassifier guide')


@BATCH_AUGMENTS.register_module()
class AttentiveMix(BaseMixer):
    """Paste the partner's most activated grid cells (see the module docstring).

    Args:
        alpha (float): ``lam ~ Beta(alpha, alpha)``. Default 1.
        grid (int, optional): cells per side; default the guiding feature map's
            size (a ResNet-50 stage-4 map at 224 px: 7x7 cells of 32 px, the
            reference's grid 32).
        lam_mode, seed: see :class:`~mmmix.mixers.base.BaseMixer`; ``dist_mode``
            must be ``'local'``.

    Requires ``'guide_feats'`` (``[N,C,h,w]``) from the classifier.
    """
    requires = ('guide_feats', )

    def __init__(self, alpha: float = 1.0, grid: Optional[int] = None, lam_mode: str = 'batch',
                 dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        local_only(self)
        if grid is not None:
            check_range('grid', grid, low=1, owner='AttentiveMix')
        self.grid = grid

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, guide_feats: Optional[Tensor] = None,
            **context) -> MixResult:
        if guide_feats is None:
            raise RuntimeError('AttentiveMix needs guiding features: use it in '
                               "MixupClassifier's 'mixers' (which supplies them), or pass "
                               'guide_feats=')
        n, _, h, w = inputs.shape
        index = index.to(inputs.device)
        act = guide_feats.detach().float().mean(1, keepdim=True)
        if self.grid is not None:
            act = F.adaptive_avg_pool2d(act, self.grid)
        gh, gw = act.shape[-2:]
        cells = gh * gw
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        k = ((1 - lam) * cells).round().long().clamp(0, cells)
        scores = act.flatten(1).index_select(0, index.to(act.device))
        pasted = rank_mask(scores, k.to(act.device)).view(n, 1, gh, gw)
        mask = F.interpolate((~pasted).to(inputs.dtype), size=(h, w), mode='nearest')
        mixed = blend_inplace(inputs, partners(inputs, index, source), mask)
        return self._result(mixed, index, mask.float().mean((1, 2, 3)), mask=mask)

    def __call__(self, inputs, batch_score):
        raise RuntimeError('AttentiveMix needs guiding features: use it in '
                           "MixupClassifier's 'mixers', not as a stand-alone batch augment")
