"""Co-Mixup (Kim, Choo, Jeong and Song, "Co-Mixup: Saliency Guided Joint Mixup
with Supermodular Diversity", ICLR 2021, arXiv:2102.03065).

The batch is cut into groups of ``m`` consecutive inputs (``part_size``; the
reference's ``m_part``). Inside a group, ``m`` outputs are built jointly: each
output ``i`` is a ``B x B`` block labelling ``z_i`` whose label ``z_i[p] = j``
says that block ``p`` of the output is copied from input ``j``. The labellings
minimise (``n = B * B``; ``o_i[j]`` = number of blocks of output ``i`` taken
from input ``j``)::

    E(z) = sum_i sum_p ( -s_(z_i[p])[p] - (eta / n) log pi_(z_i[p]) )    saliency + prior
         + (beta / n) sum_i sum_(p~q) [z_i[p] != z_i[q]]                  label smoothness
         + (gamma / n) sum_(i != i') o_i^T A o_i'                          compatibility/diversity

* ``s_j`` is the saliency of input ``j`` per block (the channel-wise L2 norm of
  the clean loss's input gradient, average-pooled, summing to 1 per input;
  requirement ``'input_grad'``);
* ``pi ~ Dirichlet(alpha)`` per group is the prior over how much each input
  is used (the reference's ``mixup_alpha``);
* ``A = (1 - omega) I + omega A_c``: the identity part penalises outputs that
  reuse the same inputs (diversity, a supermodular term); ``A_c`` is the
  compatibility matrix, the L1 distance between the most salient locations
  of two inputs, normalised to sum ``m`` per group (as the reference).

Solver: block coordinate descent over the outputs (``n_iters`` passes). With
the other outputs fixed, the joint term is *modular* in ``o_i`` (its exact
change is ``2 (gamma / n) o_i^T A sum_(i' != i) o_i'``), so each step is a
multi-label Potts problem on the grid, solved by
:func:`mmmix.mixers.graphcut.solve_grid` (chain dynamic programming, warm
started from the current labelling, so no step increases the energy). All
groups of the batch are solved at once on the input's device; the loop runs
over the ``m`` output positions. With ``thres`` the joint cost of input ``j``
only applies where ``(A sum_(i' != i) o_i')[j]`` exceeds ``thres * n`` (the
reference's 'hard' threshold ``tau``: an input may cover up to ``tau`` of one
output before it counts as over-used). Both the per-step solver (a local
optimum of the Potts problem) and the coordinate descent (a local optimum of a
supermodular objective) are **approximate**; ``tests/mixers/test_comixup.py``
measures the gap to brute force on small instances.

Labels: output ``i`` carries the soft target ``sum_j shares[i, j] onehot(y_j)``
with ``shares[i, j] = o_i[j] / n``, the share of its area copied from input
``j`` (rows sum to 1). Mapping to the mmmix contract (N outputs = N inputs):
inside each group the outputs are ordered by a maximum-weight assignment
(output ``i`` is the one using input ``i`` most), ``lam[i] = shares[i, i]``,
``index[i]`` is the other input with the largest share (``i`` itself when
there is none), ``mask[i]`` marks the pixels copied from input ``i`` (so
``mask[i].mean() == lam[i]``), and the full matrix is
:attr:`MixResult.shares`, which the MCE path and ``mix_scores`` use. The
``(y_a, y_b, lam)`` pair is only the two largest sources, so losses built on a
pair (DM, SUMix) are rejected when the model is built.

Differences from the reference code: the saliency pass does not train the
model (the reference back-propagated ``2 * clean_lam / num_classes`` times
the clean loss into the parameters; here only the training loss does); masks
are hard one-input-per-block labellings (the reference's extra half/half
labels between two or three inputs after the first pass are not used);
the 'set resolve' step is kept only where it lowers the energy; nothing is
hard-wired to CUDA; the batch is solved at once instead of one output and one
group at a time.
"""
import math
from typing import Optional

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils.validation import ConfigError, check_int, check_range
from .base import BaseMixer, MixResult
from .graphcut import potts_pair, solve_grid
from .manifoldmix import local_only
from .puzzlemix import PuzzleMix, block_saliency, check_block_num

#: unary cost of the padding labels (inputs that do not exist in a short group)
_PAD_COST = 1e4


def group_sizes(n: int, part_size: int):
    """``(G, m)``: ``G = ceil(n / part_size)`` groups of ``m = ceil(n / G)``
    slots; the last groups may hold one input less (padding)."""
    groups = max(math.ceil(n / part_size), 1)
    return groups, math.ceil(n / groups)


def compat_distance(input_grad: Tensor, window: int = 8) -> Tensor:
    """``[N, N]`` L1 distance between the most salient locations of the inputs
    (pixel saliency smoothed by a ``window`` box filter): Co-Mixup's
    compatibility, large for inputs whose salient parts do not overlap."""
    sal = input_grad.float().pow(2).mean(1, keepdim=True).sqrt()
    k = max(min(window, sal.shape[-2], sal.shape[-1]), 1)
    sal = F.avg_pool2d(sal, k, stride=1)[:, 0]
    flat = sal.flatten(1).argmax(1)
    loc = torch.stack([flat // sal.shape[-1], flat % sal.shape[-1]], 1).float()
    return torch.cdist(loc, loc, p=1)


def comixup_energy(labels: Tensor, unary: Tensor, A: Tensor, beta: float, gamma: float,
                   thres: Optional[float] = None, out_valid: Optional[Tensor] = None) -> Tensor:
    """Energy ``[G]`` of labellings ``labels`` ``[G,m,B,B]`` (long) for
    ``unary`` ``[G,B,B,m]`` (saliency + prior per input label), ``A``
    ``[G,m,m]`` and the already scaled ``beta`` (per differing neighbour pair)
    and ``gamma``. Without ``thres`` the joint term is
    ``gamma * sum_(i != i') o_i^T A o_i'``; with it, output ``i`` pays
    ``gamma * o_i^T c_i`` with ``c_i = (A P_i) * [A P_i > thres]``,
    ``P_i = sum_(i' != i) o_i'`` (the reference's thresholded objective).
    ``out_valid`` ``[G,m]`` leaves padding outputs out."""
    g, m = labels.shape[:2]
    valid = (unary.new_ones(g, m) if out_valid is None
             else out_valid.to(unary.device, unary.dtype))
    u = unary.unsqueeze(1).expand(g, m, *unary.shape[1:])
    e = u.gather(-1, labels.unsqueeze(-1)).squeeze(-1).sum((2, 3))
    e = e + beta * ((labels[..., 1:] != labels[..., :-1]).sum((2, 3))
                    + (labels[..., 1:, :] != labels[..., :-1, :]).sum((2, 3)))
    e = (e * valid).sum(1)
    counts = F.one_hot(labels.flatten(2), unary.shape[-1]).sum(2).to(unary.dtype)  # [G,m,m_in]
    counts = counts * valid.unsqueeze(-1)
    others = counts.sum(1, keepdim=True) - counts
    cost = others @ A.transpose(1, 2)  # (A P_i) per output
    if thres is not None:
        cost = cost * (cost > thres)
    return e + gamma * (counts * cost).sum((1, 2))


def identical_output_cost(labels: Tensor, valid: Tensor) -> Tensor:
    """``[G, m_out, m_in]`` extra unit costs that separate outputs using the
    same set of (two or more) inputs: of each such pair, the first output pays
    for the first shared input and the second for the second (the reference's
    'set resolve' step; a heuristic outside the energy)."""
    m = labels.shape[1]
    used = (F.one_hot(labels.flatten(2), m).sum(2) > 0) & valid.bool().unsqueeze(-1)
    same = (used.unsqueeze(2) == used.unsqueeze(1)).all(-1)
    same = same & torch.ones(m, m, dtype=torch.bool, device=labels.device).triu(1)
    same = same & (used.sum(-1) >= 2).unsqueeze(-1) & valid.bool().unsqueeze(1)
    cost = torch.zeros(used.shape, device=labels.device)
    for g, i1, i2 in same.nonzero().tolist():
        first, second = used[g, i1].nonzero()[:2, 0].tolist()
        cost[g, i1, first] = 1.
        cost[g, i2, second] = 1.
    return cost


def solve_comixup(unary: Tensor, A: Tensor, beta: float, gamma: float,
                  thres: Optional[float] = None, n_iters: int = 4, max_sweeps: int = 4,
                  init: Optional[Tensor] = None, out_valid: Optional[Tensor] = None,
                  resolve: bool = False) -> Tensor:
    """Block coordinate descent on :func:`comixup_energy`; returns labels
    ``[G,m,B,B]`` (see the module docstring). ``init`` (``[G,m,B,B]``)
    defaults to the unary minimiser; ``out_valid`` ``[G,m]`` (bool) marks the
    outputs that exist (padding outputs are solved but do not count for the
    others). Stops early when a pass over the outputs changes nothing. With
    ``resolve``, before the last pass (or at convergence) outputs that use the
    same inputs get :func:`identical_output_cost` (times ``gamma``) added; a
    group keeps the labelling from before that step when it had a lower
    energy, so resolving never increases the energy."""
    g, b, _, m = unary.shape
    labels = (unary.argmin(-1).unsqueeze(1).expand(g, m, b, b) if init is None else init).clone()
    valid = (torch.ones(g, m, device=unary.device) if out_valid is None
             else out_valid.to(unary.device, unary.dtype))
    counts = F.one_hot(labels.flatten(2), m).sum(2).to(unary.dtype) * valid.unsqueeze(-1)
    pair = potts_pair(m, device=unary.device, dtype=unary.dtype)
    w_h = unary.new_full((g, b, b - 1), beta)
    w_v = unary.new_full((g, b - 1, b), beta)
    extra, resolved = None, not resolve
    for it in range(n_iters):
        changed = False
        for t in range(m):
            others = counts.sum(1) - counts[:, t]  # [G, m_in]
            pen = others.unsqueeze(1) @ A.transpose(1, 2)  # [G, 1, m_in]
            if thres is not None:
                pen = pen * (pen > thres)
            cost = unary + (2 * gamma) * pen.unsqueeze(1)
            if extra is not None:
                cost = cost + gamma * extra[:, t, None, None, :]
            new = solve_grid(cost, w_h, w_v, pair, max_sweeps=max_sweeps, init=labels[:, t])
            if not torch.equal(new, labels[:, t]):
                changed = True
                labels[:, t] = new
                counts[:, t] = (F.one_hot(new.flatten(1), m).sum(1).to(unary.dtype)
                                * valid[:, t:t + 1])
        if not resolved and (not changed or it >= n_iters - 2):
            extra, resolved = identical_output_cost(labels, valid), True
            if bool(extra.any()):
                before = labels.clone()
                continue
        if not changed:
            break
    if extra is not None and bool(extra.any()):
        args = (unary, A, beta, gamma, thres, valid)
        worse = comixup_energy(before, *args) < comixup_energy(labels, *args)
        labels[worse] = before[worse]
    return labels


def assign_outputs(shares: Tensor) -> Tensor:
    """For a group's ``[m_out, m_in]`` shares, the output to put at each input
    slot: a maximum-weight assignment (``scipy.optimize.linear_sum_assignment``,
    ``m x m`` on the CPU) so that slot ``i`` holds the output using input ``i``
    most."""
    from scipy.optimize import linear_sum_assignment
    rows, cols = linear_sum_assignment(shares.detach().cpu().double().numpy(), maximize=True)
    order = np.empty(len(cols), dtype=np.int64)
    order[cols] = rows
    return torch.from_numpy(order)


@BATCH_AUGMENTS.register_module()
class CoMixup(BaseMixer):
    """Joint saliency-guided mixing of several inputs (see the module docstring).

    Args:
        alpha (float): Dirichlet concentration of the per-group prior over the
            inputs (the reference's ``mixup_alpha``). Default 2.
        block_num (int | Sequence[int]): label grid size ``B`` (one drawn per
            batch among those dividing the image size). Default 4 (the
            reference's ``m_block_num``).
        part_size (int): inputs mixed jointly (``m_part``). Default 20.
        beta (float): label smoothness. Default 0.32.
        gamma (float): weight of the compatibility/diversity term. Default 1.
        thres (float, optional): over-use threshold ``tau`` in ``[0, 1]``
            (share of one output); None applies the joint term everywhere.
            Default 0.83.
        eta (float): weight of the Dirichlet prior. Default 0.05.
        omega (float): weight of the compatibility matrix in ``A``. Default 0.001.
        n_iters (int): passes of the coordinate descent (``m_niter``). Default 4.
        max_sweeps (int): sweeps of the grid solver per step. Default 4.
        resolve (bool): separate outputs that use the same inputs
            (:func:`identical_output_cost`, the reference's ``set_resolve``).
            Default True.
        lam_mode (str): unused (the shares are optimised, not drawn); kept
            for the common interface. ``dist_mode`` must be ``'local'``.
        seed (int, optional): private generator.

    Requires ``'input_grad'``. Returns ``lam``/``index``/``mask`` as in the
    module docstring plus ``shares`` ``[N, N]`` (rows sum to 1).
    """
    requires = ('input_grad', )

    def __init__(self, alpha: float = 2.0, block_num=4, part_size: int = 20, beta: float = 0.32,
                 gamma: float = 1.0, thres: Optional[float] = 0.83, eta: float = 0.05,
                 omega: float = 0.001, n_iters: int = 4, max_sweeps: int = 4,
                 resolve: bool = True, lam_mode: str = 'batch', dist_mode: str = 'local',
                 seed: Optional[int] = None):
        super().__init__(alpha=alpha, lam_mode=lam_mode, dist_mode=dist_mode, seed=seed)
        local_only(self)
        name = type(self).__name__
        blocks = check_block_num(block_num, name)
        for key, value in (('beta', beta), ('gamma', gamma), ('eta', eta)):
            check_range(key, value, low=0, owner=name)
        check_range('omega', omega, low=0, high=1, owner=name)
        if thres is not None:
            check_range('thres', thres, low=0, high=1, owner=name)
        for key, value in (('part_size', part_size), ('n_iters', n_iters),
                           ('max_sweeps', max_sweeps)):
            check_int(key, value, low=1 if key != 'part_size' else 2, owner=name)
        self.block_num, self.part_size = blocks, part_size
        self.beta, self.gamma, self.eta, self.omega = map(float, (beta, gamma, eta, omega))
        self.thres = None if thres is None else float(thres)
        if not isinstance(resolve, bool):
            raise ConfigError(f'{name}: resolve={resolve!r} must be True or False')
        self.n_iters, self.max_sweeps, self.resolve = n_iters, max_sweeps, resolve

    def check_model(self, classifier) -> None:
        """Co-Mixup's targets mix more than two labels: only the MCE (exact
        with :attr:`MixResult.shares`) or a stock head's soft targets fit."""
        from mmmix.models.losses.mix_losses import MixedCrossEntropyLoss
        loss = getattr(getattr(classifier, 'head', None), 'mix_loss_module', None)
        if loss is not None and not isinstance(loss, MixedCrossEntropyLoss):
            raise ConfigError(
                f'{type(self).__name__} mixes up to {self.part_size} inputs per output; '
                f'mix_loss={type(loss).__name__} needs a (y_a, y_b, lam) pair. Use '
                "mix_loss=dict(type='MixedCrossEntropyLoss') (exact multi-source targets)")

    _blocks = PuzzleMix._blocks  # one grid size per batch among those dividing H and W

    def problem(self, input_grad: Tensor, blocks: int, generator=None):
        """The grouped problem: ``(unary [G,B,B,m], A [G,m,m], in_valid [G,m])``
        (scaled as in the reference: beta, gamma, eta divided by ``B^2``)."""
        n = input_grad.shape[0]
        groups, m = group_sizes(n, self.part_size)
        dev = input_grad.device
        slots = torch.arange(groups * m, device=dev)
        valid = (slots < n).view(groups, m)
        sal = block_saliency(input_grad, blocks)  # [N,B,B], sums to 1
        sal = torch.cat([sal, sal.new_zeros(groups * m - n, blocks, blocks)])
        unary = -sal.view(groups, m, blocks, blocks).permute(0, 2, 3, 1)
        seed = int(torch.randint(0, 2**62, (1, ), generator=generator))
        pi = np.random.default_rng(seed).dirichlet([self.alpha] * m, size=groups)
        prior = -torch.from_numpy(np.log(pi + 1e-8)).float().to(dev) * (self.eta / blocks**2)
        unary = unary + prior.view(groups, 1, 1, m)
        unary = unary + (~valid).float().view(groups, 1, 1, m) * _PAD_COST
        dist = compat_distance(input_grad)
        A = torch.zeros(groups, m, m, device=dev)
        eye = torch.eye(m, device=dev)
        for k in range(groups):
            lo, hi = k * m, min((k + 1) * m, n)
            d = torch.zeros(m, m, device=dev)
            d[:hi - lo, :hi - lo] = dist[lo:hi, lo:hi]
            d = d / d.sum().clamp_min(1e-12) * m
            A[k] = (1 - self.omega) * eye + self.omega * d
        return unary, A, valid

    def solve(self, input_grad: Tensor, blocks: int, generator=None) -> Tensor:
        """Source input (global batch index) of every block of every output
        ``[N,B,B]``, outputs in the order of the groups' assignment."""
        n = input_grad.shape[0]
        unary, A, valid = self.problem(input_grad, blocks, generator)
        groups, _, _, m = unary.shape
        sizes = valid.sum(1).to(unary.device, torch.float32)
        init = (torch.rand(groups, m, blocks, blocks, generator=generator).to(unary.device)
                * sizes.view(-1, 1, 1, 1)).long()  # random, over the group's real inputs
        n_blocks = blocks * blocks
        labels = solve_comixup(unary, A, self.beta / n_blocks, self.gamma / n_blocks,
                               None if self.thres is None else self.thres * n_blocks,
                               self.n_iters, self.max_sweeps, init=init, out_valid=valid,
                               resolve=self.resolve)
        counts = F.one_hot(labels.flatten(2), m).sum(2).float()  # [G, m_out, m_in]
        src = []
        for k in range(groups):
            size = int(valid[k].sum())
            order = assign_outputs(counts[k, :size, :size]).to(labels.device)
            src.append(labels[k, order] + k * m)
        return torch.cat(src)[:n]

    def mix(self, inputs: Tensor, lam=None, index=None, source: Optional[Tensor] = None,
            with_mask: bool = False, generator=None, input_grad: Optional[Tensor] = None,
            **context) -> MixResult:
        """Mix ``inputs`` jointly. ``lam`` and ``index`` are not inputs of
        Co-Mixup (the shares are optimised) and are ignored."""
        if input_grad is None:
            raise RuntimeError(
                f'{type(self).__name__} needs the input gradient of the clean batch: use it in '
                "MixupClassifier's 'mixers' (which supplies it), or pass input_grad=")
        n, c, h, w = inputs.shape
        if n < 2:
            return self.unmixed(inputs, with_mask)
        blocks = self._blocks(h, w, generator)
        with torch.no_grad():
            src = self.solve(input_grad.to(inputs.device), blocks, generator)  # [N,B,B]
            shares = F.one_hot(src.flatten(1), n).float().mean(1)  # [N, N], rows sum to 1
            pix = src.repeat_interleave(h // blocks, 1).repeat_interleave(w // blocks, 2)
            own = torch.arange(n, device=inputs.device)
            others = shares.masked_fill(torch.eye(n, dtype=torch.bool, device=inputs.device), -1)
            index = others.argmax(1)
            index = torch.where(others.gather(1, index[:, None])[:, 0] > 0, index, own)
        flat = pix.view(1, n, h * w).expand(c, n, h * w)
        mixed = inputs.transpose(0, 1).reshape(c, n, h * w).gather(1, flat)
        mixed = mixed.view(c, n, h, w).transpose(0, 1).contiguous()
        mask = (pix == own.view(n, 1, 1)).unsqueeze(1).to(inputs.dtype)
        result = self._result(mixed, index, shares.diagonal().clone(), mask=mask)
        result.shares = shares
        return result

    def unmixed(self, inputs: Tensor, with_mask: bool = False) -> MixResult:
        """:meth:`BaseMixer.unmixed` with ``shares`` the identity."""
        result = super().unmixed(inputs, with_mask)
        result.shares = torch.eye(inputs.shape[0], device=inputs.device)
        return result

    def sample(self, inputs: Tensor, generator: Optional[torch.Generator] = None,
               with_mask: bool = False, **context) -> MixResult:
        """Solve and mix (nothing to draw besides the prior and the start)."""
        self._check_inputs(inputs)
        return self.mix(inputs, generator=self._gen(generator), with_mask=with_mask, **context)

    def __call__(self, inputs, batch_score):
        raise RuntimeError(
            f'{type(self).__name__} needs the input gradient of the clean batch: use it in '
            "MixupClassifier's 'mixers', not as a stand-alone batch augment")
