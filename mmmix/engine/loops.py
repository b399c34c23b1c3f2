"""mmengine's iteration loop, resumed without replaying the trained batches."""
import logging

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop as _IterBasedTrainLoop
from torch.utils.data import BatchSampler

from mmmix.registry import LOOPS


class _SkipFirst:
    """An iterator whose first ``n`` ``next()`` return ``None`` without touching
    ``iterator`` (they absorb mmengine's replay of the trained batches)."""

    def __init__(self, iterator, n: int):
        self.iterator = iterator
        self.n = n

    def __iter__(self):
        return self

    def __next__(self):
        if self.n > 0:
            self.n -= 1
            return None
        return next(self.iterator)


@LOOPS.register_module()
class IterBasedTrainLoop(_IterBasedTrainLoop):
    """mmengine's ``IterBasedTrainLoop`` whose resume skips the trained batches
    without loading them.

    mmengine resumes at iteration ``k`` by drawing ``k`` batches from the
    dataloader, each one loaded and augmented. When the train sampler has
    ``seek(consumed)`` (:class:`~mmmix.datasets.ResumableInfiniteSampler`,
    :class:`~mmmix.datasets.SemiSupSampler`) and the batches are plain groups of
    ``batch_size`` indices, this loop seeks the sampler past this rank's
    ``k * batch_size`` indices and restarts the dataloader there; otherwise it
    replays as mmengine does, with a warning naming why. (DataLoader workers
    started when the loop was built have already loaded their first few
    batches; those are dropped.) Arguments: as mmengine's loop.
    """

    def run(self):
        if self._iter > 0:
            self.seek_sampler()
        return super().run()

    def seek_sampler(self) -> bool:
        """Position the train sampler after the ``iter`` trained batches; False
        (and a warning) when it cannot."""
        loader = self.dataloader
        batches = getattr(loader, 'batch_sampler', None)
        sampler = getattr(batches, 'sampler', None)
        if type(batches) is not BatchSampler:
            reason = (f'the batch sampler {type(batches).__name__} does not take the indices '
                      'in plain groups of batch_size')
        elif not callable(getattr(sampler, 'seek', None)):
            reason = (f'the sampler {type(sampler).__name__} has no seek() (use '
                      'ResumableInfiniteSampler instead of InfiniteSampler)')
        else:
            reason = None
        if reason is not None:
            print_log(f'{type(self).__name__}: resuming at iteration {self._iter} loads the '
                      f'{self._iter} trained batches again: {reason}', logger='current',
                      level=logging.WARNING)
            return False
        sampler.seek(self._iter * batches.batch_size)
        self.dataloader_iterator = _SkipFirst(iter(loader), self._iter)
        print_log(f'{type(self).__name__}: the sampler skipped the {self._iter} trained batches '
                  'without loading them', logger='current')
        return True


__all__ = ['IterBasedTrainLoop']
