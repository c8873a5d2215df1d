"""Skipping unreadable videos during training, for any MMAction2 data set."""
import logging

import torch
from mmengine.logging import print_log

from .video_errors import VideoReadError


class SkipUnreadableMixin:
    """Mixin for an MMEngine data set whose training runs survive unreadable
    videos.

    With ``skip_unreadable=True`` a :class:`VideoReadError` raised by the
    pipeline (see ``CheckedDecordInit`` / ``DecordUniqueDecode``) makes
    :meth:`prepare_data` return None; MMEngine's ``BaseDataset.__getitem__``
    then draws another random index, up to ``max_refetch`` times. Each skipped
    file is logged once per process as a warning; the skips are counted in
    shared memory, so :attr:`num_skipped` and :attr:`skip_events` are totals
    over all DataLoader workers of the process (``SkippedVideosHook`` logs
    them per epoch and validation run). Any other exception still propagates.
    With ``skip_unreadable=False`` (default) the data set reads videos exactly
    like the one it is mixed into.

    Args:
        skip_unreadable (bool): Skip unreadable videos; training only. Default
            False.
        **kwargs: Arguments of the data set it is mixed into.
    """

    def __init__(self, *args, skip_unreadable: bool = False, **kwargs):
        if not isinstance(skip_unreadable, bool):
            raise ValueError(f'skip_unreadable must be True or False, got '
                             f'{skip_unreadable!r}')
        if skip_unreadable and kwargs.get('test_mode', False):
            raise ValueError(
                'skip_unreadable=True is allowed only with test_mode=False: '
                'every test video must be scored')
        self.skip_unreadable = skip_unreadable
        self.skipped_files = set()  # logged by this process
        self._skip_counts = torch.zeros(0, dtype=torch.int32)
        super().__init__(*args, **kwargs)

    def full_init(self):
        """Also sets up the skip counters, one per video, in shared memory
        (before DataLoader workers start)."""
        super().full_init()
        if len(self._skip_counts) != len(self):
            self._skip_counts = torch.zeros(
                len(self), dtype=torch.int32).share_memory_()

    @property
    def skip_counts(self) -> torch.Tensor:
        """``(len(self),)`` skips of each video so far, over all workers."""
        return self._skip_counts

    @property
    def num_skipped(self) -> int:
        """Distinct videos skipped so far, over all workers."""
        return int((self._skip_counts > 0).sum())

    @property
    def skip_events(self) -> int:
        """Skips so far (a video skipped twice counts twice), all workers."""
        return int(self._skip_counts.sum())

    def prepare_data(self, idx: int):
        try:
            return super().prepare_data(idx)
        except VideoReadError as err:
            if not self.skip_unreadable:
                raise
            self._record_skip(idx, err)
            return None

    def _record_skip(self, idx: int, err: VideoReadError) -> None:
        self._skip_counts[idx] += 1
        if err.filename in self.skipped_files:
            return
        self.skipped_files.add(err.filename)
        print_log(
            f'Skipping unreadable training video ({self.num_skipped} '
            f'distinct so far, all loader workers): {err}',
            logger='current',
            level=logging.WARNING)
