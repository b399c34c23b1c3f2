"""CutMix (Yun et al., ICCV 2019, arXiv:1905.04899)."""
from typing import Optional

import torch
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import check_range
from .base import (BaseMixer, MixResult, blend_inplace, box_lam, box_mask, needs_grad, partners,
                   rand_boxes, same_everywhere)


def paste_boxes(inputs: Tensor, index: Tensor, boxes: Tensor, source: Optional[Tensor] = None,
                with_mask: bool = False):
    """Paste ``source[index]`` into ``inputs`` inside ``boxes`` (``[1,4]`` shared or
    ``[N,4]`` per sample, ``(y1, y2, x1, x2)``). Returns ``(mixed, mask or None)``.

    A shared box is pasted in place (only the box is gathered); per-sample
    boxes are blended with a vectorised mask. ``inputs`` is written in place
    unless autograd tracks it.
    """
    n, _, h, w = inputs.shape
    src = inputs if source is None else source
    mask = None
    if boxes.shape[0] == 1:
        y1, y2, x1, x2 = (int(v) for v in boxes[0])
        patch = partners(src[:, :, y1:y2, x1:x2], index, None, reuse=True)
        mixed = inputs.clone() if needs_grad(inputs, src) else inputs
        mixed[:, :, y1:y2, x1:x2] = patch
        if with_mask:
            mask = box_mask(boxes.expand(n, 4), h, w, inputs.device)
    else:
        mask = box_mask(boxes, h, w, inputs.device)
        mixed = blend_inplace(inputs, partners(inputs, index, source, reuse=True), mask)
    return mixed, mask


@BATCH_AUGMENTS.register_module()
class CutMix(BaseMixer):
    """Paste a box of area ``(1 - lam) * H * W`` from the partner.

    ``lam`` is recomputed from the clipped box (``correct_lam=True``), so the
    returned ``lam`` equals the mean of the mask. With ``lam_mode='batch'`` one
    box is shared by the batch and pasted in place; with ``'elem'`` each sample
    gets its own ``lam`` and box.

    Args:
        alpha (float): Beta parameter.
        correct_lam (bool): report the share of the clipped box. Default True.
        margin (float): keep the box centre this share of the box size away
            from the border. Default 0.
        lam_mode, dist_mode, seed: see :class:`~mmmix.mixers.BaseMixer`.

    Example:
        >>> mixer = CutMix(alpha=1.0, lam_mode='elem')
        >>> result = mixer.sample(torch.rand(4, 3, 32, 32), with_mask=True)
        >>> bool(torch.allclose(result.mask.mean((1, 2, 3)), result.lam))
        True

    In a config::

        model = dict(type='MixupClassifier', mixers=[dict(type='CutMix', alpha=0.2)], ...)
        # or, in a stock mmpretrain config (custom_imports=dict(imports=['mmmix'])):
        train_cfg = dict(augments=[dict(type='mmmix.CutMix', alpha=1.0)])
    """

    def __init__(self, alpha: float = 1.0, correct_lam: bool = True, margin: float = 0.,
                 lam_mode: str = 'batch', dist_mode: str = 'local', seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        check_range('margin', margin, 0., 0.5, owner='CutMix')
        self.correct_lam = bool(correct_lam)
        self.margin = float(margin)

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, boxes: Optional[Tensor] = None,
            **context) -> MixResult:
        """``boxes`` (``[1,4]`` or ``[N,4]`` ``(y1, y2, x1, x2)``) overrides the random box."""
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        n, _, h, w = inputs.shape
        if boxes is None:
            per_batch = self.lam_mode == 'batch' and same_everywhere(lam)
            boxes = rand_boxes(lam[:1] if per_batch else lam, h, w, generator, self.margin)
        boxes = torch.as_tensor(boxes, dtype=torch.long).view(-1, 4).cpu()
        mixed, mask = paste_boxes(inputs, index, boxes, source, with_mask)
        if self.correct_lam:
            lam = box_lam(boxes, h, w).expand(n).clone()
        return self._result(mixed, index, lam, mask)
