"""MMAction2's ``VideoDataset`` that can skip unreadable videos during
training."""
import logging

from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .video_errors import VideoReadError


@DATASETS.register_module()
class RobustVideoDataset(VideoDataset):
    """``VideoDataset`` whose training runs survive unreadable videos.

    With ``skip_unreadable=True`` a :class:`VideoReadError` raised by the
    pipeline (see ``CheckedDecordInit`` / ``DecordUniqueDecode``) makes
    :meth:`prepare_data` return None; MMEngine's ``BaseDataset.__getitem__``
    then draws another random index, up to ``max_refetch`` times. Each skipped
    file is logged once as a warning, with the count of distinct skipped files
    so far (per process: every DataLoader worker counts its own). Any other
    exception still propagates. With ``skip_unreadable=False`` (default) it
    behaves exactly like ``VideoDataset``.

    Args:
        skip_unreadable (bool): Skip unreadable videos; training only. Default
            False.
        **kwargs: Arguments of MMAction2's ``VideoDataset`` (``ann_file``,
            ``pipeline``, ``data_prefix``, ``test_mode``, ``max_refetch``,
            ...).
    """

    def __init__(self, skip_unreadable: bool = False, **kwargs):
        if not isinstance(skip_unreadable, bool):
            raise ValueError(f'skip_unreadable must be True or False, got '
                             f'{skip_unreadable!r}')
        if skip_unreadable and kwargs.get('test_mode', False):
            raise ValueError(
                'skip_unreadable=True is allowed only with test_mode=False: '
                'every test video must be scored')
        self.skip_unreadable = skip_unreadable
        self.skipped_files = set()
        super().__init__(**kwargs)

    @property
    def num_skipped(self) -> int:
        """Distinct files skipped so far in this process."""
        return len(self.skipped_files)

    def prepare_data(self, idx: int):
        try:
            return super().prepare_data(idx)
        except VideoReadError as err:
            if not self.skip_unreadable:
                raise
            self._record_skip(err)
            return None

    def _record_skip(self, err: VideoReadError) -> None:
        if err.filename in self.skipped_files:
            return
        self.skipped_files.add(err.filename)
        print_log(
            f'Skipping unreadable training video ({self.num_skipped} skipped '
            'so '
            f'far in this process): {err}',
            logger='current',
            level=logging.WARNING)
