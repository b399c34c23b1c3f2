"""The mixing contract shared by every mmmix mixer.

A mixer turns a batch ``x`` ``[N,C,H,W]`` into a mixed batch and returns one
:class:`MixResult`:

* ``inputs``: the mixed batch (same shape, dtype and device as ``x``);
* ``index``: the partner index ``[N]`` (``long``); sample ``i`` is mixed with
  ``x[index[i]]``;
* ``lam``: per-sample share ``[N]`` (``float32``) of ``x[i]`` (class ``y_a``) in
  the mixed sample; ``1 - lam`` belongs to the partner (class ``y_b``);
* ``mask``: optional ``[N,1,H,W]`` pixel weights of ``x[i]`` (1 keeps ``x[i]``),
  with ``mask[i].mean() == lam[i]``.

Label semantics live downstream: ``y_b = y_a[index]`` (see
:meth:`MixResult.pair_labels`). Every mixer is also an mmpretrain batch
augment: ``mixer(inputs, batch_score) -> (inputs, mixed_score)``.

Randomness is drawn in one place (:meth:`BaseMixer.sample_lam`,
:meth:`BaseMixer.sample_index`) from an optional :class:`torch.Generator`, so
the same seed gives the same batch.
"""
import logging
import numbers
import threading
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import numpy as np
import mmengine.dist as mdist
import torch
from mmengine.logging import print_log
from torch import Tensor

from mmmix.utils.validation import (ConfigError, StrictKwargs, check_choice, check_int,
                                    check_range)

LAM_MODES = ('batch', 'elem')
DIST_MODES = ('local', 'global')


@dataclass
class MixResult:
    """What every mixer returns (see the module docstring)."""
    inputs: Tensor
    index: Tensor
    lam: Tensor
    mask: Optional[Tensor] = None
    #: True when ``index`` points into the batch gathered from all ranks
    gathered: bool = False
    #: optional ``[N, N]`` label shares of multi-input mixers (Co-Mixup): row ``i``
    #: gives the share of each input's label in mixed sample ``i`` (rows sum to 1);
    #: when set, soft targets are ``shares @ onehot`` (``index``/``lam`` keep the
    #: two largest sources for pair-based consumers)
    shares: Optional[Tensor] = None

    def pair_labels(self, labels: Tensor) -> Tuple[Tensor, Tensor]:
        """``(y_a, y_b)`` with ``y_b = y_a[index]`` (gathered across ranks when
        the mixer paired samples across ranks)."""
        source = all_gather_cat(labels) if self.gathered else labels
        return labels, source.index_select(0, self.index.to(source.device))

    def mix_scores(self, scores: Tensor) -> Tensor:
        """Soft targets ``lam * s + (1 - lam) * s[index]`` for one-hot/soft ``scores``
        (``shares @ s`` when :attr:`shares` is set)."""
        if self.shares is not None:
            return self.shares.to(scores.device, torch.float32) @ scores.float()
        _, partner = self.pair_labels(scores.float())
        lam = self.lam.to(scores.device, torch.float32).view(-1, *([1] * (scores.dim() - 1)))
        return torch.lerp(partner, scores.float(), lam)


#: ``MixInfo.extra`` key under which MixupClassifier passes ``MixResult.shares``
MIX_SHARES_KEY = 'mix_shares'

#: MessageHub runtime-info key of the last MixResult a mixer produced as an
#: mmpretrain batch augment (read and cleared by mmmix heads, which take
#: ``index``/``lam`` from it instead of reconstructing labels from soft scores)
PUBLISHED_MIX_KEY = 'mmmix.mix_result'


def publish_mix_result(result: 'MixResult') -> None:
    """Publish ``result`` (without the mixed inputs) in the current MessageHub's
    runtime info under :data:`PUBLISHED_MIX_KEY`; not saved in checkpoints."""
    from dataclasses import replace

    from mmengine.logging import MessageHub
    MessageHub.get_current_instance().update_info(
        PUBLISHED_MIX_KEY, replace(result, inputs=None), resumed=False)


def all_gather_cat(t: Tensor) -> Tensor:
    """Concatenate ``t`` from every rank along dim 0 (equal sizes required)."""
    if mdist.get_world_size() == 1:
        return t
    sizes = mdist.all_gather(torch.tensor([t.shape[0]], device=t.device))
    if len({int(s) for s in sizes}) != 1:
        raise RuntimeError(
            "dist_mode='global' needs the same batch size on every rank, got "
            f'{[int(s) for s in sizes]}; use a dataloader with drop_last=True')
    return torch.cat(mdist.all_gather(t.contiguous()))


# --------------------------------------------------------------------------
# small geometric helpers shared by the box-based mixers
# --------------------------------------------------------------------------
def _np(t, dtype) -> np.ndarray:
    """A CPU tensor / array / number as a 1-D numpy array (small box arithmetic
    runs in numpy: a few microseconds instead of a torch dispatch per op)."""
    if torch.is_tensor(t):
        t = t.detach().cpu().numpy()
    return np.asarray(t, dtype=dtype).reshape(-1)


def rand_boxes(lam: Tensor, h: int, w: int, generator=None, margin: float = 0.,
               centers: Optional[Tensor] = None) -> Tensor:
    """Random boxes of area ``(1 - lam) * h * w`` (before clipping), one per
    ``lam`` entry, centred uniformly (``margin`` keeps the centre away from the
    border as a share of the box size) or at the given ``centers``
    (``[N,2]`` pixel coordinates ``(cy, cx)``). Returns ``int64 [N,4]`` as
    ``(y1, y2, x1, x2)``, clipped to the image.
    """
    lam = _np(lam, np.float64)
    n = lam.size
    ratio = np.sqrt(np.clip(1. - lam, 0, 1))
    cut_h = (h * ratio).astype(np.int64)
    cut_w = (w * ratio).astype(np.int64)
    if centers is None:
        my, mx = (margin * cut_h).astype(np.int64), (margin * cut_w).astype(np.int64)
        u = torch.rand(n, 2, generator=generator, dtype=torch.float64).numpy()
        cy = (my + u[:, 0] * np.maximum(h - 2 * my, 1)).astype(np.int64)
        cx = (mx + u[:, 1] * np.maximum(w - 2 * mx, 1)).astype(np.int64)
    else:
        centers = _np(centers, np.int64).reshape(n, 2)
        cy, cx = centers[:, 0], centers[:, 1]
    boxes = np.stack([cy - cut_h // 2, cy + cut_h // 2, cx - cut_w // 2, cx + cut_w // 2], 1)
    np.clip(boxes[:, :2], 0, h, out=boxes[:, :2])
    np.clip(boxes[:, 2:], 0, w, out=boxes[:, 2:])
    return torch.from_numpy(boxes)


def place_boxes(cut_h: Tensor, cut_w: Tensor, h: int, w: int, generator=None) -> Tensor:
    """Boxes of the given integer sizes ``[N]`` placed uniformly so that they lie
    fully inside the ``h x w`` image. Returns ``int64 [N,4]`` ``(y1, y2, x1, x2)``."""
    cut_h = np.clip(_np(cut_h, np.int64), 0, h)
    cut_w = np.clip(_np(cut_w, np.int64), 0, w)
    u = torch.rand(cut_h.size, 2, generator=generator, dtype=torch.float64).numpy()
    y1 = np.minimum((u[:, 0] * (h - cut_h + 1)).astype(np.int64), h - cut_h)
    x1 = np.minimum((u[:, 1] * (w - cut_w + 1)).astype(np.int64), w - cut_w)
    return torch.from_numpy(np.stack([y1, y1 + cut_h, x1, x1 + cut_w], 1))


def uniform(low: float, high: float, n: int, generator=None) -> Tensor:
    """``n`` draws of ``U(low, high)`` (CPU float64)."""
    return low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)


def rank_mask(scores: Tensor, k: Tensor) -> Tensor:
    """Boolean mask, True at the ``k[i]`` largest entries of each row of
    ``scores`` ``[M, L]`` (exactly ``k[i]`` entries, ties broken by position)."""
    m, length = scores.shape
    order = scores.argsort(dim=1, descending=True, stable=True)
    ranks = torch.empty_like(order).scatter_(
        1, order, torch.arange(length, device=scores.device).expand(m, length))
    return ranks < torch.as_tensor(k, device=scores.device).view(-1, 1)


def box_lam(boxes: Tensor, h: int, w: int) -> Tensor:
    """Share of the image *outside* each box: the corrected ``lam`` [N] (float32)."""
    b = _np(boxes, np.int64).reshape(-1, 4)
    area = (b[:, 1] - b[:, 0]) * (b[:, 3] - b[:, 2])
    return torch.from_numpy((1. - area / float(h * w)).astype(np.float32))


def box_mask(boxes: Tensor, h: int, w: int, device=None, dtype=torch.float32) -> Tensor:
    """``[N,1,H,W]`` mask that is 0 inside each box and 1 outside (weight of ``x``)."""
    boxes = boxes.to(device)
    ys = torch.arange(h, device=device).view(1, h, 1)
    xs = torch.arange(w, device=device).view(1, 1, w)
    inside = ((ys >= boxes[:, 0, None, None]) & (ys < boxes[:, 1, None, None])
              & (xs >= boxes[:, 2, None, None]) & (xs < boxes[:, 3, None, None]))
    return (~inside).unsqueeze(1).to(dtype)


def needs_grad(*tensors: Optional[Tensor]) -> bool:
    """True when autograd records operations on any of ``tensors``."""
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def blend_inplace(inputs: Tensor, partner: Tensor, weight) -> Tensor:
    """``weight * inputs + (1 - weight) * partner`` written into ``inputs``
    (one pass, no allocation); out of place when autograd tracks the inputs.
    ``weight`` is a float or broadcasts to the batch; a binary weight picks
    pixels exactly (``lerp`` with weight 0/1 returns an end point)."""
    if torch.is_tensor(weight):
        weight = weight.to(inputs.device, inputs.dtype)
    if needs_grad(inputs, partner):
        return torch.lerp(partner, inputs, weight)
    return inputs.lerp_(partner, 1 - weight)


_WORKSPACE = threading.local()


def workspace(shape, dtype: torch.dtype, device) -> Tensor:
    """A reusable buffer of ``shape`` (per thread, device and dtype; grown on
    demand). Freshly allocated large CPU tensors are page-faulted in on every
    call, which costs more than the mixing itself; reusing one buffer avoids
    that. The content is valid until the next :func:`workspace` call on this
    thread with the same device and dtype, so results must never alias it."""
    cache = getattr(_WORKSPACE, 'buffers', None)
    if cache is None:
        cache = _WORKSPACE.buffers = {}
    numel = int(np.prod(shape))
    key = (torch.device(device), dtype)
    buf = cache.get(key)
    if buf is None or buf.numel() < numel:
        buf = cache[key] = torch.empty(numel, dtype=dtype, device=device)
    return buf[:numel].view(shape)


def same_everywhere(t: Tensor) -> bool:
    """True when all rows of a CPU tensor are identical (one draw per batch)."""
    return t.shape[0] <= 1 or bool((t == t[:1]).all())


def check_pair(key: str, value, low=None, high=None, owner: str = '', integer: bool = False,
               low_inclusive: bool = True) -> Tuple[float, float]:
    """Validate a ``(min, max)`` option (a single number means a fixed value):
    both ends inside ``[low, high]``, ``min <= max``, integers when ``integer``.
    Raises :class:`~mmmix.utils.ConfigError` naming ``key`` and the value."""
    where = f'{owner}: ' if owner else ''
    pair = value if isinstance(value, (list, tuple)) else (value, value)
    if len(pair) != 2:
        raise ConfigError(f'{where}{key}={value!r} must be a number or a (min, max) pair')
    for v in pair:
        if (isinstance(v, bool) or not isinstance(v, numbers.Real)
                or (integer and not float(v).is_integer())):
            kind = 'integers' if integer else 'numbers'
            raise ConfigError(f'{where}{key}={value!r} must hold {kind}')
        check_range(key, v, low, high, owner=owner, low_inclusive=low_inclusive)
    if pair[0] > pair[1]:
        raise ConfigError(f'{where}{key}={value!r}: min must not exceed max')
    cast = int if integer else float
    return cast(pair[0]), cast(pair[1])


class BaseMixer(StrictKwargs):
    """Base class of every mixer. Subclasses implement :meth:`mix`.

    Inputs must be floating point: integer batches (e.g. ``uint8`` images) are
    rejected with a ``TypeError``, so a mixer goes after the data
    preprocessor's conversion and normalisation. A batch of one sample (with
    no partners on other ranks) is returned unmixed, see :meth:`unmixed`.

    Args:
        alpha (float): ``lam ~ Beta(alpha, alpha)``; must be > 0.
        lam_mode (str): ``'batch'`` draws one ``lam`` for the whole batch (and,
            for box methods, one box), ``'elem'`` one per sample (timm's
            ``batch``/``elem`` modes).
        dist_mode (str): ``'local'`` pairs samples inside each rank's batch
            (default); ``'global'`` pairs across ranks (all-gathers the batch).
        seed (int, optional): seeds a private :class:`torch.Generator`; without
            it the global torch RNG is used (seeded by mmengine's ``randomness``).

    Class attributes:
        requires (tuple[str]): what the mixer needs from the model, supplied by
            :class:`~mmmix.models.MixupClassifier` as keyword context.
        has_mask (bool): whether :meth:`mix` can return a pixel mask.
    """
    requires: Tuple[str, ...] = ()
    has_mask: bool = True

    def __init__(self, alpha: float = 1.0, lam_mode: str = 'batch',
                 dist_mode: str = 'local', seed: Optional[int] = None):
        name = type(self).__name__
        check_range('alpha', alpha, low=0, low_inclusive=False, owner=name)
        check_choice('lam_mode', lam_mode, LAM_MODES, owner=name)
        check_choice('dist_mode', dist_mode, DIST_MODES, owner=name)
        self.alpha = float(alpha)
        self.lam_mode = lam_mode
        self.dist_mode = dist_mode
        self.generator = None
        if seed is not None:
            self.generator = torch.Generator().manual_seed(check_int('seed', seed, owner=name))

    def __repr__(self):
        return (f'{type(self).__name__}(alpha={self.alpha}, lam_mode={self.lam_mode!r}, '
                f'dist_mode={self.dist_mode!r})')

    # ---------------------------------------------------------------- random
    def _gen(self, generator):
        return generator if generator is not None else self.generator

    def get_rng_state(self) -> Optional[Tensor]:
        """The state of the private generator (``None`` without ``seed``)."""
        return None if self.generator is None else self.generator.get_state()

    def set_rng_state(self, state: Optional[Tensor]) -> None:
        """Restore a :meth:`get_rng_state` result."""
        name = type(self).__name__
        if state is None and self.generator is not None:
            raise ValueError(f'{name}: rng state None for a mixer built with seed=')
        if state is not None:
            if self.generator is None:
                raise ValueError(f'{name}: a generator state for a mixer built without seed=')
            self.generator.set_state(state.cpu())

    def sample_lam(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """``lam ~ Beta(alpha, alpha)`` as a CPU float32 tensor ``[n]``."""
        seed = int(torch.randint(0, 2**62, (1,), generator=self._gen(generator)))
        rng = np.random.default_rng(seed)
        k = 1 if self.lam_mode == 'batch' else n
        lam = torch.from_numpy(rng.beta(self.alpha, self.alpha, size=k)).float()
        return lam.expand(n).clone() if k == 1 else lam

    def sample_index(self, n: int, generator: Optional[torch.Generator] = None) -> Tensor:
        """A random permutation (CPU ``long [n]``); with ``dist_mode='global'``
        it indexes the batch gathered from all ranks."""
        rank, world = mdist.get_rank(), mdist.get_world_size()
        g = self._gen(generator)
        if self.dist_mode == 'global' and world > 1:
            # every rank must agree on the global permutation: rank 0's seed wins
            seed = torch.randint(0, 2**62, (1,), generator=g)
            mdist.broadcast(seed, src=0)
            perm = torch.randperm(n * world, generator=torch.Generator().manual_seed(int(seed)))
            return perm[rank * n:(rank + 1) * n]
        return torch.randperm(n, generator=g)

    # ----------------------------------------------------------------- mixing
    def mix(self, inputs: Tensor, lam: Tensor, index: Tensor, source: Optional[Tensor] = None,
            with_mask: bool = False, generator: Optional[torch.Generator] = None,
            **context) -> MixResult:
        """Mix ``inputs`` with ``source[index]`` given requested shares ``lam``.

        ``source`` defaults to ``inputs`` (the gathered batch in global mode).
        May modify ``inputs`` in place, like mmpretrain's batch augments.
        The returned ``lam`` is the share actually realised (e.g. after box
        clipping).
        """
        raise NotImplementedError

    def sample(self, inputs: Tensor, generator: Optional[torch.Generator] = None,
               with_mask: bool = False, **context) -> MixResult:
        """Draw ``lam`` and the partner index, then :meth:`mix`."""
        self._check_inputs(inputs)
        n = inputs.shape[0]
        gathered = self.dist_mode == 'global' and mdist.get_world_size() > 1
        if n < 2 and not gathered:
            return self.unmixed(inputs, with_mask)
        g = self._gen(generator)
        lam = self.sample_lam(n, g)
        index = self.sample_index(n, g)
        source = all_gather_cat(inputs) if gathered else None
        result = self.mix(inputs, lam, index.to(inputs.device), source=source,
                          with_mask=with_mask, generator=g, **context)
        result.gathered = gathered
        return result

    def __call__(self, inputs: Tensor, batch_score: Tensor) -> Tuple[Tensor, Tensor]:
        """mmpretrain batch-augment interface: returns mixed inputs and soft scores."""
        if batch_score.ndim != 2:
            raise ValueError(f'{type(self).__name__}: batch_score must be [N, num_classes] '
                             f'one-hot/soft scores, got shape {tuple(batch_score.shape)}')
        result = self.sample(inputs)
        publish_mix_result(result)
        return result.inputs, result.mix_scores(batch_score)

    def unmixed(self, inputs: Tensor, with_mask: bool = False) -> MixResult:
        """``inputs`` as they are, for a batch too small to mix: ``index`` the
        identity, ``lam`` 1 and (asked for, with ``has_mask``) an all-ones
        mask. Logged once per mixer."""
        n, _, h, w = inputs.shape
        if not getattr(self, '_warned_unmixed', False):
            self._warned_unmixed = True
            print_log(f'{type(self).__name__}: a batch of {n} has no partner to mix with and is '
                      'used unmixed (lam=1); logged once. drop_last=True in the train '
                      'dataloader skips such batches', logger='current', level=logging.WARNING)
        mask = None
        if with_mask and self.has_mask:
            mask = torch.ones(n, 1, h, w, device=inputs.device)
        return self._result(inputs, torch.arange(n), torch.ones(n), mask)

    def _check_inputs(self, inputs: Tensor):
        name = type(self).__name__
        if not torch.is_tensor(inputs) or inputs.dim() != 4:
            shape = tuple(inputs.shape) if torch.is_tensor(inputs) else type(inputs)
            raise ValueError(f'{name}: inputs must be a [N,C,H,W] tensor, got {shape}')
        if not inputs.is_floating_point():
            raise TypeError(
                f'{name}: inputs must be floating point, got {inputs.dtype}; put the mixer after '
                "the data preprocessor's conversion to float and normalisation (or mix "
                'inputs.float())')

    @staticmethod
    def _result(inputs, index, lam, mask=None) -> MixResult:
        lam = torch.as_tensor(lam, dtype=torch.float32).to(inputs.device)
        return MixResult(inputs=inputs, index=index.to(inputs.device), lam=lam, mask=mask)


def lam_view(lam: Tensor, like: Tensor) -> Tensor:
    """``lam`` reshaped to broadcast over ``like`` ``[N, ...]``, in its dtype/device."""
    return lam.to(like.device, like.dtype).view(-1, *([1] * (like.dim() - 1)))


def partners(inputs: Tensor, index: Tensor, source: Optional[Tensor],
             reuse: bool = False) -> Tensor:
    """``source[index]`` along dim 0; ``source`` defaults to ``inputs``.

    A fresh tensor, unless ``reuse=True`` on CPU without autograd: then the
    rows are gathered into the thread's :func:`workspace` (valid until the
    next reuse), which the caller must consume before returning.
    """
    src = inputs if source is None else source
    index = index.to(src.device)
    if reuse and src.device.type == 'cpu' and not needs_grad(src):
        out = workspace((index.numel(), ) + tuple(src.shape[1:]), src.dtype, src.device)
        return torch.index_select(src, 0, index, out=out)
    return src.index_select(0, index)


__all__: Sequence[str] = [
    'MixResult', 'BaseMixer', 'rand_boxes', 'place_boxes', 'uniform', 'rank_mask', 'box_lam',
    'box_mask', 'blend_inplace', 'needs_grad', 'workspace', 'lam_view', 'partners',
    'same_everywhere', 'all_gather_cat', 'check_pair'
]
