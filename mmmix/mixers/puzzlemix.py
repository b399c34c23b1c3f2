"""PuzzleMix (Kim, Choo and Song, "Puzzle Mix: Exploiting Saliency and Local
Statistics for Optimal Mixup", ICML 2020, arXiv:2009.06962).

Per pair ``(x, x[index])`` and requested share ``lam``:

1. saliency: the channel-wise L2 norm of the input gradient of the clean loss
   (requirement ``'input_grad'``, supplied by the classifier), average-pooled
   to a ``B x B`` block grid (``B`` drawn from ``block_num``) and normalised
   to sum 1 per image;
2. a block mask ``z`` with values in ``{0, 1/(L-1), ..., 1}`` (``L = n_labels``,
   the weight of ``x``) minimising
   ``- sum z s_x - sum (1 - z) s_partner`` (keep the salient parts)
   ``+ beta' * sum_(p,q) (z_p - z_q)^2`` (label smoothness)
   ``+ gamma * beta' * [boundary term]`` (data smoothness: how well the image
   contents of neighbouring blocks fit together, reparametrised into a unary
   part and a non-negative edge weight, as in the paper)
   ``- eta' * sum log Binomial(z | lam)`` (the prior that ties the mask to
   ``lam``; with 3 labels ``lam^2, 2 lam (1 - lam), (1 - lam)^2``),
   with ``beta' = beta / (16 B)`` and ``eta' = eta / B^2`` (the reference
   scaling); solved by :func:`mmmix.mixers.graphcut.solve_grid`
   (approximate, vectorised, on the input's device);
3. optional transport: the salient blocks of each image move to where the
   mask keeps that image (a greedy conflict-resolving assignment with cost
   ``t_eps * distance^2 - saliency * kept``);
4. ``lam`` is returned per sample as the mean of the final mask.

Differences from the reference code: a given ``lam`` is honoured (the
reference drew its own), nothing is hard-wired to CUDA, the mask is solved
for the whole batch at once, targets the transport leaves empty keep their
own block (the reference left them black), and the boundary term uses the
batch rescaled to ``[0, 1]`` (the reference de-normalised with its dataset
mean/std).
"""
import math
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import ConfigError, as_tuple, check_range
from .base import BaseMixer, MixResult, blend_inplace, partners
from .graphcut import solve_grid, squared_pair
from .manifoldmix import local_only


def _pool(img: Tensor, size: int) -> Tensor:
    """Average-pool ``img`` ``[N,C,H,W]`` to ``size x size`` (a plain
    ``avg_pool2d`` when the size divides, faster than the adaptive one)."""
    h, w = img.shape[-2:]
    if h % size == 0 and w % size == 0:
        return F.avg_pool2d(img, (h // size, w // size))
    return F.adaptive_avg_pool2d(img, size)


def check_block_num(block_num, owner: str) -> tuple:
    """``block_num`` (an int or a list of them, each >= 1) as a tuple, or a ConfigError."""
    blocks = as_tuple(block_num)
    if not blocks or any(isinstance(b, bool) or not isinstance(b, int) or b < 1 for b in blocks):
        raise ConfigError(f'{owner}: block_num={block_num!r} must be a positive int or a '
                          'list of them')
    return blocks


def block_saliency(grad: Tensor, blocks: int) -> Tensor:
    """``[N,B,B]`` saliency per block summing to 1 per image: the channel-wise
    L2 norm of ``grad`` ``[N,C,H,W]``, average-pooled to ``blocks x blocks``."""
    sal = grad.float().pow(2).mean(1, keepdim=True).sqrt()
    pooled = _pool(sal, blocks).squeeze(1)
    return pooled / pooled.sum((1, 2), keepdim=True).clamp_min(1e-12)


def binomial_prior(lam: Tensor, n_labels: int, eps: float = 1e-8) -> Tensor:
    """``-log P(z = l/(L-1) | lam)`` for ``l = 0..L-1``, ``[N, L]``: the
    binomial law of ``L-1`` draws keeping ``x`` with probability ``lam``."""
    k = torch.arange(n_labels, dtype=torch.float64)
    n = n_labels - 1
    logc = torch.tensor([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                         for i in range(n_labels)], dtype=torch.float64)
    lam = lam.double().clamp(eps, 1 - eps).view(-1, 1)
    return -(logc + k * lam.log() + (n - k) * (1 - lam).log()).float()


# rows: edge weight, unary of the near block, unary of the far block, as
# combinations of the strip costs c[a, b] flattened (c00, c01, c10, c11)
_REPARAM = ((-.5, .5, .5, -.5), (-.5, -.5, .5, .5), (-.5, .5, -.5, .5))


def boundary_terms(x: Tensor, xp: Tensor, blocks: int, neigh_size: int, scale=1.0):
    """Data-smoothness terms between neighbouring blocks.

    For each horizontal/vertical block edge and each choice of image on its
    two sides (``1`` = ``x``, ``0`` = partner) the mean absolute difference of
    the facing boundary strips (images pooled by ``neigh_size``), divided by
    ``scale``. Returns ``(unary_h, w_h, unary_v, w_v)`` from the binary
    reparametrisation ``E(a, b) = const + a * u_p + b * u_q + w * (a - b)^2``:
    ``u_*`` are added per block to the cost of ``z`` (linear in ``z``), ``w``
    to the edge weights.

    All four image pairs and both edge directions are computed in one pass
    (vertical edges are handled as horizontal edges of the transposed maps).
    """
    n, _, h, w = x.shape
    k = max(min(h, w) // blocks // neigh_size, 1)
    size = blocks * k
    both = torch.stack([_pool(xp.float(), size), _pool(x.float(), size)])  # [2, N, C, S, S]
    grid = (both, both.transpose(-1, -2))  # columns, then rows as columns
    near = torch.stack([g[..., k - 1:size - 1:k] for g in grid])  # [2 dirs, 2, N, C, S, B-1]
    far = torch.stack([g[..., k::k] for g in grid])
    # cost[d, a, b, n, S, B-1]: mean over channels of |strip of image a - strip of image b|
    cost = (near[:, :, None] - far[:, None]).abs_().mean(4)
    cost = cost.view(2, 4, n, blocks, k, blocks - 1).mean(4)  # mean along the edge
    coef = torch.tensor(_REPARAM, device=x.device) / scale
    w_edge, u_near, u_far = torch.einsum('rc,dcnij->rdnij', coef, cost)  # each [2, N, B, B-1]
    unary = F.pad(u_near, (0, 1)) + F.pad(u_far, (1, 0))  # [2, N, B, B]
    return unary[0], w_edge[0], unary[1].transpose(1, 2), w_edge[1].transpose(1, 2)


def transport_plan(sal: Tensor, keep: Tensor, eps: float, n_iter: int) -> Tensor:
    """For each target block, the source block whose content moves there
    (``long [N, B*B]``).

    Sources pick their cheapest target (cost ``eps * d^2 - sal_source *
    keep_target``, ``d`` the block distance over ``B-1``); where several
    pick the same target the cheapest wins and the others pay a penalty of 1
    on it and pick again, ``n_iter`` times. Targets nobody wins keep their
    own block.
    """
    n, b, _ = keep.shape
    cells = b * b
    ij = torch.stack(torch.meshgrid(torch.arange(b), torch.arange(b), indexing='ij'), -1)
    ij = ij.view(cells, 2).to(sal.device, torch.float32)
    dist = torch.cdist(ij, ij).pow(2) / max(b - 1, 1)**2
    cost = eps * dist - sal.reshape(n, cells, 1) * keep.reshape(n, 1, cells).float()
    rows = torch.arange(cells, device=sal.device)
    for _ in range(n_iter):
        choice = cost.argmin(-1)  # [N, src] -> target
        chosen = cost.gather(-1, choice.unsqueeze(-1)).squeeze(-1)
        best = torch.full((n, cells), float('inf'), device=sal.device)
        best.scatter_reduce_(1, choice, chosen, 'amin')
        win = chosen <= best.gather(1, choice)
        # ties: the lowest source index wins
        first = torch.full((n, cells), cells, device=sal.device, dtype=torch.long)
        first.scatter_reduce_(1, choice, torch.where(win, rows.expand(n, cells), cells), 'amin')
        win = first.gather(1, choice) == rows
        if bool(win.all()):  # no conflicts left: further rounds would change nothing
            break
        cost.scatter_add_(-1, choice.unsqueeze(-1), (~win).float().unsqueeze(-1))
    src = rows.expand(n, cells).clone()
    has = first < cells
    src[has] = first[has]
    return src


def move_blocks(img: Tensor, src: Tensor, blocks: int) -> Tensor:
    """``img`` ``[N,C,H,W]`` with block ``t`` replaced by block ``src[:, t]``."""
    n, c, h, w = img.shape
    bh, bw = h // blocks, w // blocks
    patches = img.reshape(n, c, blocks, bh, blocks, bw).permute(0, 2, 4, 1, 3, 5)
    patches = patches.reshape(n, blocks * blocks, c * bh * bw)
    moved = patches.gather(1, src.unsqueeze(-1).expand(-1, -1, patches.shape[-1]))
    moved = moved.view(n, blocks, blocks, c, bh, bw).permute(0, 3, 1, 4, 2, 5)
    return moved.reshape(n, c, h, w)


@BATCH_AUGMENTS.register_module()
class PuzzleMix(BaseMixer):
    """Saliency-guided block mask with optional transport (see the module docstring).

    Args:
        alpha (float): ``lam ~ Beta(alpha, alpha)``. Default 1.
        block_num (int | Sequence[int]): grid sizes ``B`` to draw from per batch
            (only those dividing the image height and width). Default
            ``(2, 4, 8, 16)`` (the reference's ``2**randint(1, 5)``).
        beta (float): label smoothness. Default 1.2.
        gamma (float): data smoothness (relative to ``beta``). Default 0.5.
        eta (float): weight of the ``lam`` prior. Default 0.2.
        neigh_size (int): pooling of the images for the boundary term. Default 4.
        n_labels (int): mask levels (2: binary, 3: ``{0, .5, 1}``). Default 3.
        transport (bool): move salient blocks into the kept region. Default True.
        t_eps (float): distance weight of the transport cost. Default 0.8.
        t_iters (int, optional): conflict rounds of the transport; default ``B``.
        max_sweeps (int): sweeps of the grid solver. Default 4.
        lam_mode, seed: see :class:`~mmmix.mixers.base.BaseMixer`; ``dist_mode``
            must be ``'local'``.

    Requires ``'input_grad'`` (``[N,C,H,W]``) from the classifier. Returns a
    mask and per-sample ``lam == mask.mean((1, 2, 3))``.
    """
    requires = ('input_grad', )

    def __init__(self, alpha: float = 1.0, block_num=(2, 4, 8, 16), beta: float = 1.2,
                 gamma: float = 0.5, eta: float = 0.2, neigh_size: int = 4, n_labels: int = 3,
                 transport: bool = True, t_eps: float = 0.8, t_iters: Optional[int] = None,
                 max_sweeps: int = 4, lam_mode: str = 'batch', dist_mode: str = 'local',
                 seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        local_only(self)
        name = type(self).__name__
        blocks = check_block_num(block_num, name)
        for key, value in (('beta', beta), ('gamma', gamma), ('eta', eta), ('t_eps', t_eps)):
            check_range(key, value, low=0, owner=name)
        check_range('neigh_size', neigh_size, low=1, owner=name)
        check_range('n_labels', n_labels, low=2, owner=name)
        check_range('max_sweeps', max_sweeps, low=1, owner=name)
        if t_iters is not None:
            check_range('t_iters', t_iters, low=1, owner=name)
        self.block_num = blocks
        self.beta, self.gamma, self.eta = float(beta), float(gamma), float(eta)
        self.neigh_size, self.n_labels = int(neigh_size), int(n_labels)
        self.transport, self.t_eps, self.t_iters = bool(transport), float(t_eps), t_iters
        self.max_sweeps = int(max_sweeps)

    def _blocks(self, h: int, w: int, generator) -> int:
        valid = [b for b in self.block_num if h % b == 0 and w % b == 0]
        if not valid:
            raise ValueError(f'{type(self).__name__}: no block_num in {self.block_num} divides '
                             f'the input size {h}x{w}')
        return valid[int(torch.randint(len(valid), (1, ), generator=generator))]

    def mask_problem(self, x: Tensor, xp: Tensor, sal: Tensor, sal_p: Tensor, lam: Tensor,
                     blocks: int, with_prior: bool = True):
        """The labelling problem of the mask: ``(unary [N,B,B,L], w_h, w_v, pair,
        levels)`` for :func:`~mmmix.mixers.graphcut.solve_grid`; label ``l``
        means the mask value ``levels[l]`` (weight of ``x``). ``with_prior=False``
        leaves the ``lam`` prior out of ``unary`` (the benchmark's reference
        loop adds it per sample, as the reference code does)."""
        n = x.shape[0]
        beta = self.beta / blocks / 16
        levels = torch.linspace(0, 1, self.n_labels, device=x.device)
        # -z * sal - (1 - z) * sal_p (+ the linear boundary part) = -sal_p + z * lin
        lin = sal_p - sal
        w_h = torch.full((n, blocks, blocks - 1), beta, device=x.device)
        w_v = torch.full((n, blocks - 1, blocks), beta, device=x.device)
        if self.gamma > 0 and blocks > 1:
            # the terms are differences of the images: rescaling to [0, 1]
            # divides them by (max - min), the shift cancels
            lo, hi = torch.aminmax(x.detach())
            if xp is not x:
                lo_p, hi_p = torch.aminmax(xp.detach())
                lo, hi = torch.minimum(lo, lo_p), torch.maximum(hi, hi_p)
            scale = (hi - lo).float().clamp_min(1e-12) / (beta * self.gamma)
            uh, eh, uv, ev = boundary_terms(x.detach(), xp.detach(), blocks, self.neigh_size,
                                            scale=scale)
            lin = lin + uh + uv
            w_h = (w_h + eh).clamp_min_(0)
            w_v = (w_v + ev).clamp_min_(0)
        base = -sal_p.unsqueeze(-1)
        if with_prior:
            prior = binomial_prior(lam.cpu(), self.n_labels).to(x.device) * (self.eta / blocks**2)
            base = prior.view(n, 1, 1, -1) + base
        unary = torch.addcmul(base, lin.unsqueeze(-1), levels)
        return unary, w_h, w_v, squared_pair(self.n_labels, device=x.device), levels

    def solve_mask(self, x: Tensor, xp: Tensor, sal: Tensor, sal_p: Tensor, lam: Tensor,
                   blocks: int) -> Tensor:
        """Block mask values ``[N,B,B]`` (weight of ``x``) for saliencies
        ``sal``/``sal_p`` ``[N,B,B]`` and requested ``lam`` ``[N]``."""
        unary, w_h, w_v, pair, levels = self.mask_problem(x, xp, sal, sal_p, lam, blocks)
        return levels[solve_grid(unary, w_h, w_v, pair, max_sweeps=self.max_sweeps)]

    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, input_grad: Optional[Tensor] = None,
            **context) -> MixResult:
        if input_grad is None:
            raise RuntimeError(
                f'{type(self).__name__} needs the input gradient of the clean batch: use it in '
                "MixupClassifier's 'mixers' (which supplies it), or pass input_grad=")
        n, _, h, w = inputs.shape
        blocks = self._blocks(h, w, generator)
        index = index.to(inputs.device)
        lam = torch.as_tensor(lam, dtype=torch.float32).cpu()
        with torch.no_grad():
            sal = block_saliency(input_grad, blocks)
            sal_p = sal.index_select(0, index)
            xp = partners(inputs, index, source)
            z = self.solve_mask(inputs, xp, sal, sal_p, lam, blocks)
            x_own = inputs
            if self.transport and blocks > 1:
                iters = self.t_iters or blocks
                x_own = move_blocks(inputs, transport_plan(sal, z > 0, self.t_eps, iters), blocks)
                xp = move_blocks(xp, transport_plan(sal_p, z < 1, self.t_eps, iters), blocks)
        # nearest upsampling of the block mask (a broadcast copy, cheaper than interpolate)
        mask = z.to(inputs.dtype)[:, None, :, None, :, None].expand(
            n, 1, blocks, h // blocks, blocks, w // blocks).reshape(n, 1, h, w)
        mixed = blend_inplace(x_own, xp, mask)
        lam_out = mask.float().mean((1, 2, 3))
        return self._result(mixed, index, lam_out, mask=mask)

    def __call__(self, inputs, batch_score):
        raise RuntimeError(
            f'{type(self).__name__} needs the input gradient of the clean batch: use it in '
            "MixupClassifier's 'mixers', not as a stand-alone batch augment")
