"""Infinite samplers that resume at a position without loading what precedes it.

mmengine's ``IterBasedTrainLoop`` resumes at iteration ``k`` by drawing ``k``
batches from the dataloader, loading and augmenting every sample it already
trained on. The indices of an infinite sampler are a function of its seed and
of the position in its stream, so a sampler can :meth:`seek` there instead:
it redraws the skipped permutations (microseconds each) and yields none of
their indices. :class:`mmmix.engine.IterBasedTrainLoop` seeks every train
sampler that has a ``seek(consumed)`` method: :class:`ResumableInfiniteSampler`
here and :class:`~mmmix.datasets.SemiSupSampler`.
"""
import itertools
import numbers
from typing import Iterator

import torch
from mmengine.dataset import InfiniteSampler

from mmmix.registry import DATA_SAMPLERS
from mmmix.utils.validation import StrictKwargs


def check_consumed(consumed, owner: str, multiple: int = 1) -> int:
    """``consumed`` as an int; ValueError naming it unless it is an integer
    ``>= 0`` and a multiple of ``multiple``."""
    if (isinstance(consumed, bool) or not isinstance(consumed, numbers.Integral)
            or consumed < 0 or consumed % multiple):
        whole = f' and a multiple of the batch size {multiple}' if multiple > 1 else ''
        raise ValueError(f'{owner}: seek(consumed={consumed!r}) needs an integer >= 0{whole}')
    return int(consumed)


def infinite_indices(size: int, seed: int, shuffle: bool = True, rank: int = 0,
                     world_size: int = 1, start: int = 0) -> Iterator[int]:
    """The indices of ``rank`` in mmengine's ``InfiniteSampler`` stream (one
    permutation of ``range(size)`` after another, dealt to the ranks in
    turn), from this rank's ``start``-th index on. Also the stream of each
    source of mmdet's ``MultiSourceSampler``."""
    if size < 1:
        raise ValueError(f'infinite_indices: size={size} leaves nothing to sample')
    first = start * world_size + rank  # position in the stream of all ranks
    epoch, offset = divmod(first, size)
    g = torch.Generator().manual_seed(int(seed))
    if shuffle:
        for _ in range(epoch):  # advance the generator as the skipped permutations did
            torch.randperm(size, generator=g)

    def all_ranks(offset):
        while True:
            order = torch.randperm(size, generator=g) if shuffle else torch.arange(size)
            yield from order[offset:].tolist()
            offset = 0

    return itertools.islice(all_ranks(offset), 0, None, world_size)


@DATA_SAMPLERS.register_module()
class ResumableInfiniteSampler(StrictKwargs, InfiniteSampler):
    """mmengine's ``InfiniteSampler`` (the same indices) that can :meth:`seek`.

    Args:
        dataset: the dataset.
        shuffle (bool), seed (int, optional): as ``InfiniteSampler``.
    """

    def seek(self, consumed: int) -> None:
        """Continue after the first ``consumed`` indices of this rank, without
        yielding them; takes effect at the next ``iter()``."""
        consumed = check_consumed(consumed, type(self).__name__)
        self.indices = infinite_indices(self.size, self.seed, self.shuffle, self.rank,
                                        self.world_size, consumed)


__all__ = ['ResumableInfiniteSampler', 'infinite_indices', 'check_consumed']
