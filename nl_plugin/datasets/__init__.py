"""Video data: clip samplers, decoding and the paper's pipelines."""
from .robust_video_dataset import RobustVideoDataset
from .transforms import (CheckedDecordInit, DecordUniqueDecode, EvenWindowSample,
                         RandomWindowSample)
from .video_errors import VideoReadError

__all__ = ['CheckedDecordInit', 'DecordUniqueDecode', 'EvenWindowSample',
           'RandomWindowSample', 'RobustVideoDataset', 'VideoReadError']
