"""Evaluation: clip- and video-level accuracy; COCO keypoint AP."""
from .clip_video_accuracy import ClipVideoAccuracy
from .coco_keypoint_metric import CocoKeypointMetric

__all__ = ['ClipVideoAccuracy', 'CocoKeypointMetric']
