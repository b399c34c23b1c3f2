"""Data passed from the classifier to mixup-aware heads."""
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from torch import Tensor


@dataclass
class MixInfo:
    """Labels and shares of a mixed batch.

    ``y_a`` are the labels of the batch, ``y_b = y_a[index]`` those of the
    partners, ``lam`` ``[N]`` the share of ``y_a`` in each mixed sample and
    ``mask`` the optional ``[N,1,H,W]`` pixel weights of ``x``.
    ``extra`` carries what a head asked the classifier for (e.g. clean logits).
    """
    y_a: Tensor
    y_b: Tensor
    lam: Tensor
    index: Tensor
    mask: Optional[Tensor] = None
    extra: Dict[str, Any] = field(default_factory=dict)
