"""MMAction2's ``VideoDataset`` that can skip unreadable videos during
training."""
from mmaction.datasets import VideoDataset
from mmaction.registry import DATASETS

from .skip_unreadable import SkipUnreadableMixin


@DATASETS.register_module()
class RobustVideoDataset(SkipUnreadableMixin, VideoDataset):
    """``VideoDataset`` whose training runs survive unreadable videos.

    See :class:`SkipUnreadableMixin`: with ``skip_unreadable=True`` a video
    that raises :class:`VideoReadError` is skipped with one logged warning and
    a count (``num_skipped``); with ``skip_unreadable=False`` (default) it
    behaves exactly like ``VideoDataset``.

    Args:
        skip_unreadable (bool): Skip unreadable videos; training only. Default
            False.
        **kwargs: Arguments of MMAction2's ``VideoDataset`` (``ann_file``,
            ``pipeline``, ``data_prefix``, ``test_mode``, ``max_refetch``,
            ...).
    """
