"""ManifoldMix (Verma et al., "Manifold Mixup: Better Representations by
Interpolating Hidden States", ICML 2019, arXiv:1806.05236).

Mixup of hidden features: at a stage drawn from ``layers`` the input of that
backbone stage is replaced by ``lam * h + (1 - lam) * h[index]``. The backbone
is not forked: :class:`~mmmix.models.MixupClassifier` supplies the backbone's
stage modules (requirement ``'stages'``, a :class:`StageAccess`), and the mixer
registers a one-shot forward pre-hook on the chosen stage, which the mixed
forward consumes and the classifier releases afterwards.
"""
from typing import List, Optional, Sequence

import torch
from torch import Tensor, nn

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import ConfigError, as_tuple
from .base import BaseMixer, MixResult, lam_view

#: backbone attributes that list the stages, in the order they are tried:
#: mmpretrain ResNet / ResNeXt / ResNet_CIFAR (``res_layers``: names), mmmix
#: WideResNet_CIFAR (``layers``: names), VisionTransformer / DeiT (``layers``:
#: a ModuleList of encoder blocks), Swin / ConvNeXt-like (``stages``)
STAGE_ATTRS = ('res_layers', 'layers', 'stages')


def backbone_stages(backbone: nn.Module, owner: str = 'ManifoldMix') -> List[nn.Module]:
    """The ordered stage modules of ``backbone`` (see :data:`STAGE_ATTRS`).

    Raises :class:`~mmmix.utils.ConfigError` naming the backbone when it
    exposes none of them.
    """
    for attr in STAGE_ATTRS:
        value = getattr(backbone, attr, None)
        if isinstance(value, (list, tuple)) and value and all(isinstance(n, str) for n in value):
            mods = [getattr(backbone, n, None) for n in value]
            if all(isinstance(m, nn.Module) for m in mods):
                return mods
        if isinstance(value, nn.ModuleList) and len(value):
            return list(value)
    raise ConfigError(
        f'{owner}: backbone {type(backbone).__name__} exposes no stage list (one of the '
        f'attributes {list(STAGE_ATTRS)}), so its hidden features cannot be mixed; supported: '
        'ResNet, ResNeXt, ResNet_CIFAR, ResNeXt_CIFAR, WideResNet_CIFAR, VisionTransformer')


class StageAccess:
    """The stage modules of a backbone, with one-shot input rewriting.

    :meth:`rewrite_input` registers a forward pre-hook on stage ``k`` that
    replaces the stage's first positional input by ``fn(input)`` once and
    removes itself. :meth:`release` removes hooks that never fired (the
    classifier calls it after the mixed forward, also on errors).
    """

    def __init__(self, modules: Sequence[nn.Module]):
        self.modules = list(modules)
        self._handles = []

    def __len__(self):
        return len(self.modules)

    def rewrite_input(self, k: int, fn) -> None:
        handle = None

        def hook(module, args):
            handle.remove()
            return (fn(args[0]), ) + tuple(args[1:])

        handle = self.modules[k].register_forward_pre_hook(hook)
        self._handles.append(handle)

    def release(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()


@BATCH_AUGMENTS.register_module()
class ManifoldMix(BaseMixer):
    """Mixup of the input of one backbone stage, drawn uniformly from ``layers``.

    Stage ``k`` means the input of the backbone's ``k``-th stage: ``0`` is the
    stem output of a ResNet (the patch/position embedded tokens of a ViT),
    ``1`` the output of the first stage, and so on. The default ``(0, 1, 2)``
    is OpenMixup's ``layer=(0, 3)`` (an exclusive upper end).

    Args:
        alpha (float): ``lam ~ Beta(alpha, alpha)``.
        layers (Sequence[int]): the stages to draw from; each must exist in
            the backbone (checked when the classifier is built).
        lam_mode, seed: see :class:`~mmmix.mixers.base.BaseMixer`.
        dist_mode: only ``'local'`` (hidden features are not gathered across ranks).

    Requires ``'stages'`` (a :class:`StageAccess`) from the classifier, so it
    only runs inside :class:`~mmmix.models.MixupClassifier`; ``result.inputs``
    is the unmixed batch and the mixing happens in the next backbone forward.
    """
    requires = ('stages', )
    has_mask = False

    def __init__(self, alpha: float = 1.0, layers: Sequence[int] = (0, 1, 2),
                 lam_mode: str = 'batch', dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        local_only(self)
        layers = as_tuple(layers)
        if not layers or any(isinstance(k, bool) or not isinstance(k, int) or k < 0
                             for k in layers):
            raise ConfigError(f'ManifoldMix: layers={layers!r} must be a non-empty list of '
                              'stage indices >= 0')
        self.layers = layers

    def check_model(self, classifier) -> None:
        """Build-time check: every configured stage exists in the backbone."""
        n = len(backbone_stages(classifier.backbone))
        bad = [k for k in self.layers if k >= n]
        if bad:
            raise ConfigError(
                f'ManifoldMix: layers={self.layers} includes {bad}, but backbone '
                f'{type(classifier.backbone).__name__} has {n} stages (valid 0..{n - 1})')

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, stages: Optional[StageAccess] = None,
            **context) -> MixResult:
        if stages is None:
            raise RuntimeError(
                'ManifoldMix mixes hidden features and needs the model: use it in '
                "MixupClassifier's 'mixers', not as a stand-alone batch augment")
        k = self.layers[int(torch.randint(len(self.layers), (1, ), generator=generator))]
        if k >= len(stages):
            raise ConfigError(f'ManifoldMix: stage {k} does not exist ({len(stages)} stages)')
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        index = index.to(inputs.device)

        def mix_hidden(h: Tensor) -> Tensor:
            return torch.lerp(h.index_select(0, index.to(h.device)), h, lam_view(lam, h))

        stages.rewrite_input(k, mix_hidden)
        self.last_layer = k
        return self._result(inputs, index, lam)

    def __call__(self, inputs, batch_score):
        raise RuntimeError(
            'ManifoldMix mixes hidden features and needs the model: use it in '
            "MixupClassifier's 'mixers', not as a stand-alone batch augment")


def local_only(mixer: BaseMixer) -> None:
    """Model-guided mixers pair samples inside each rank's batch only: their
    model signals (features, gradients) are not gathered across ranks."""
    if mixer.dist_mode != 'local':
        raise ConfigError(f"{type(mixer).__name__}: dist_mode={mixer.dist_mode!r} is not "
                          "supported (model signals are per rank); use 'local'")
