"""One total of the unreadable videos skipped, per epoch and validation run."""
from typing import List

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce, get_world_size
from mmengine.hooks import Hook

from ..datasets import RobustVideoDataset

_SHOWN = 10  # file names listed per report


def robust_datasets(dataset) -> List[RobustVideoDataset]:
    """The :class:`RobustVideoDataset` s in ``dataset`` and the data sets it
    wraps (``RepeatDataset``, ``ConcatDataset`` ...)."""
    if isinstance(dataset, RobustVideoDataset):
        return [dataset]
    found = []
    for child in [getattr(dataset, 'dataset', None)] + list(
            getattr(dataset, 'datasets', ())):
        if child is not None:
            found += robust_datasets(child)
    return found


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Logs how many unreadable training videos were skipped, summed over the
    DataLoader workers and the processes of a distributed run, at the end of
    each training epoch and of each validation run (iteration-based loops
    have one epoch only). Silent while nothing was skipped.

    Reads the shared counters of the :class:`RobustVideoDataset` s of the
    training data loader (``skip_unreadable=True``).
    """

    priority = 'LOW'

    def __init__(self):
        self._datasets: List[RobustVideoDataset] = []
        self._reported = 0

    def before_train(self, runner) -> None:
        self._datasets = robust_datasets(runner.train_dataloader.dataset)

    def after_train_epoch(self, runner) -> None:
        self._report(runner, f'epoch {runner.epoch}')

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._report(runner, f'iteration {runner.iter}')

    def _totals(self) -> torch.Tensor:
        """``(num videos,)`` skip counts of every training video, summed over
        processes."""
        counts = torch.cat([d.skip_counts for d in self._datasets]).long()
        if get_world_size() > 1:
            all_reduce(counts, op='sum')
        return counts

    def _names(self, counts: torch.Tensor) -> List[str]:
        """Files of the videos with a non-zero count in ``counts``."""
        names, start = [], 0
        for dataset in self._datasets:
            own = counts[start:start + len(dataset)]
            names += [
                dataset.get_data_info(i)['filename']
                for i in torch.nonzero(own).flatten().tolist()
            ]
            start += len(dataset)
        return names

    def _report(self, runner, when: str) -> None:
        if not self._datasets:
            return
        counts = self._totals()
        events, distinct = int(counts.sum()), int((counts > 0).sum())
        if events == 0:
            return
        names = self._names(counts)
        more = f', ... ({len(names) - _SHOWN} more)' if len(
            names) > _SHOWN else ''
        runner.logger.warning(
            f'Unreadable training videos up to {when}: '
            f'{events - self._reported} skip(s) since the last report, '
            f'{distinct} distinct video(s) so far (all workers and '
            f'processes): ' + ', '.join(names[:_SHOWN]) + more)
        self._reported = events
