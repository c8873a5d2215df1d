"""Video data: the paper's clip samplers, checked decord decoding, a video
data set that survives unreadable files, and the synthetic demo videos."""
from .robust_video_dataset import RobustVideoDataset
from .transforms import (CheckedDecordInit, DecordUniqueDecode,
                         EvenWindowSample, RandomWindowSample,
                         SlidingWindowSample)
from .video_errors import VideoReadError

__all__ = [
    'CheckedDecordInit', 'DecordUniqueDecode', 'EvenWindowSample',
    'RandomWindowSample', 'RobustVideoDataset', 'SlidingWindowSample',
    'VideoReadError'
]
