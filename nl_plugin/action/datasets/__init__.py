"""Video data: the paper's clip samplers, checked decord decoding, a video
data set that survives unreadable files, Charades, and the synthetic demo
and Charades-format sets."""
from .charades_dataset import CharadesDataset
from .robust_video_dataset import RobustVideoDataset
from .skip_unreadable import SkipUnreadableMixin
from .transforms import (CheckedDecordInit, DecordUniqueDecode,
                         EvenWindowSample, RandomWindowSample,
                         SlidingWindowSample, WindowActionLabels)
from .video_errors import VideoReadError

__all__ = [
    'CheckedDecordInit', 'DecordUniqueDecode', 'EvenWindowSample',
    'RandomWindowSample', 'RobustVideoDataset', 'SlidingWindowSample',
    'VideoReadError', 'CharadesDataset', 'WindowActionLabels',
    'SkipUnreadableMixin'
]
