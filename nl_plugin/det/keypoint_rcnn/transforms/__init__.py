"""Keypoint transforms for mmdet's detection pipeline: load them next to the
boxes, pack them after any of mmdet's geometric transforms."""
from .keypoint_geometry import keypoints_in_image
from .load_keypoints import LoadKeypoints
from .pack_keypoint_inputs import PackDetKeypointInputs

__all__ = ['LoadKeypoints', 'PackDetKeypointInputs', 'keypoints_in_image']
