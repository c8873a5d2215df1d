"""Keypoint transforms for mmdet's detection pipeline."""
from .flip_keypoints import FlipKeypoints
from .load_keypoints import LoadKeypoints
from .pack_keypoint_inputs import PackDetKeypointInputs
from .resize_keypoints import ResizeKeypoints

__all__ = [
    'LoadKeypoints', 'ResizeKeypoints', 'FlipKeypoints',
    'PackDetKeypointInputs'
]
