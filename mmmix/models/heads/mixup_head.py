"""MixupClsHead: a linear classification head that understands mixed batches."""
from typing import List, Optional, Tuple

import torch
from mmpretrain.models.heads import LinearClsHead
from mmpretrain.structures import DataSample

from mmmix.models.losses.functional import mixed_cross_entropy
from mmmix.registry import MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import StrictKwargs


@MODELS.register_module()
class MixupClsHead(StrictKwargs, LinearClsHead):
    """Linear head whose loss takes the mix information.

    * clean batch (``mix_info is None``): the configured ``loss`` (plain CE by
      default), exactly as :class:`mmpretrain.models.LinearClsHead`;
    * mixed batch: mixed cross-entropy with per-sample ``lam`` computed from
      ``(y_a, y_b, lam)`` of :class:`~mmmix.structures.MixInfo`.
    """

    #: extra context the head asks the classifier for (see MixupClassifier)
    mix_requires: Tuple[str, ...] = ()

    def __init__(self, num_classes: int, in_channels: int,
                 loss: dict = dict(type='CrossEntropyLoss', loss_weight=1.0),
                 topk=(1, ), cal_acc: bool = False,
                 init_cfg: Optional[dict] = dict(type='Normal', layer='Linear', std=0.01)):
        super().__init__(num_classes=num_classes, in_channels=in_channels, loss=loss,
                         topk=topk, cal_acc=cal_acc, init_cfg=init_cfg)

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             mix_info: Optional[MixInfo] = None, **kwargs) -> dict:
        if mix_info is None:
            return super().loss(feats, data_samples, **kwargs)
        cls_score = self(feats)
        return self.mix_loss(cls_score, mix_info)

    def mix_loss(self, cls_score: torch.Tensor, info: MixInfo) -> dict:
        return dict(loss=mixed_cross_entropy(cls_score, info.y_a, info.y_b, info.lam))
