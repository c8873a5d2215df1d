"""Data: video clip samplers, decoding and the paper's pipelines; COCO keypoints."""
from .coco_keypoint_dataset import CocoKeypointDataset
from .keypoint_flip import keypoint_flip_indices
from .robust_video_dataset import RobustVideoDataset
from .transforms import (CheckedDecordInit, DecordUniqueDecode, EvenWindowSample,
                         FlipKeypoints, LoadKeypoints, PackDetKeypointInputs,
                         RandomWindowSample, ResizeKeypoints)
from .video_errors import VideoReadError

__all__ = ['CheckedDecordInit', 'DecordUniqueDecode', 'EvenWindowSample',
           'RandomWindowSample', 'RobustVideoDataset', 'VideoReadError',
           'CocoKeypointDataset', 'keypoint_flip_indices', 'LoadKeypoints',
           'ResizeKeypoints', 'FlipKeypoints', 'PackDetKeypointInputs']
