"""Top-2 mixup accuracy (Decoupled Mixup, Liu et al., arXiv:2203.10761)."""
import torch
from torch import Tensor


@torch.no_grad()
def mixup_top2_accuracy(logits: Tensor, y_a: Tensor, y_b: Tensor, lam,
                        reduction: str = 'mean') -> Tensor:
    """Top-2 accuracy of a mixed batch, in percent.

    Per sample, the major class is the one with the larger share
    ``lam_max = max(lam, 1 - lam)`` (``y_a`` at a tie) and the minor class the
    other one. The sample earns ``lam_max`` if the top-1 prediction is the
    major class and ``lam_min`` if the 2nd prediction is the minor class, so a
    perfect mixed prediction earns 1. A same-class pair earns 1 when the top-1
    prediction is its class (its 2nd prediction cannot be the same class).

    Args:
        logits: ``[N, C]`` scores (``C >= 2``).
        y_a, y_b: ``[N]`` classes of the two mixed samples.
        lam: share of ``y_a``, scalar or ``[N]``.
        reduction: ``'mean'`` (a 0-d tensor, percent) or ``'none'`` (``[N]``).
    """
    n = logits.shape[0]
    lam = torch.as_tensor(lam, dtype=torch.float32, device=logits.device).reshape(-1).expand(n)
    y_a = y_a.to(logits.device)
    y_b = y_b.to(logits.device)
    a_major = lam >= 1 - lam
    major = torch.where(a_major, y_a, y_b)
    minor = torch.where(a_major, y_b, y_a)
    lam_max = torch.maximum(lam, 1 - lam)
    top2 = logits.detach().topk(2, dim=1).indices
    credit = lam_max * (top2[:, 0] == major) + (1 - lam_max) * (top2[:, 1] == minor)
    same = y_a == y_b
    credit = torch.where(same, (top2[:, 0] == y_a).float(), credit) * 100.
    if reduction == 'none':
        return credit
    if reduction == 'mean':
        return credit.mean()
    raise ValueError(f"unknown reduction={reduction!r}; valid choices are ['mean', 'none']")
