"""Pure loss functions on logits. Per-sample ``lam`` everywhere; ``reduction``
is ``'mean'`` (batch mean), ``'sum'`` or ``'none'`` (``[N]``)."""
import torch
import torch.nn.functional as F
from torch import Tensor


def reduce_loss(loss: Tensor, reduction: str = 'mean') -> Tensor:
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'none':
        return loss
    raise ValueError(f"unknown reduction={reduction!r}; valid choices are ['mean', 'sum', 'none']")


def mixed_cross_entropy(logits: Tensor, y_a: Tensor, y_b: Tensor, lam: Tensor,
                        reduction: str = 'mean') -> Tensor:
    """MCE: ``lam * CE(z, y_a) + (1 - lam) * CE(z, y_b)`` per sample (fp32 log-softmax)."""
    logp = F.log_softmax(logits.float(), dim=1)
    lam = torch.as_tensor(lam, dtype=logp.dtype, device=logp.device).expand(logp.shape[0])
    nll_a = -logp.gather(1, y_a.view(-1, 1)).squeeze(1)
    nll_b = -logp.gather(1, y_b.view(-1, 1)).squeeze(1)
    return reduce_loss(lam * nll_a + (1 - lam) * nll_b, reduction)
