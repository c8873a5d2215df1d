"""Transforms: window clip samplers, checked decord loading, keypoint geometry."""
from .checked_decord_init import CheckedDecordInit
from .flip_keypoints import FlipKeypoints
from .load_keypoints import LoadKeypoints
from .pack_keypoint_inputs import PackDetKeypointInputs
from .resize_keypoints import ResizeKeypoints
from .unique_frame_decode import DecordUniqueDecode
from .window_sample import EvenWindowSample, RandomWindowSample, WindowSampleBase

__all__ = ['CheckedDecordInit', 'DecordUniqueDecode', 'RandomWindowSample',
           'EvenWindowSample', 'WindowSampleBase', 'LoadKeypoints', 'ResizeKeypoints',
           'FlipKeypoints', 'PackDetKeypointInputs']
