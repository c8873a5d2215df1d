"""Metrics: clip- and video-level accuracy; Charades mAP."""
from .charades_map import CharadesMeanAP, per_class_average_precision
from .clip_video_accuracy import ClipVideoAccuracy

__all__ = [
    'ClipVideoAccuracy', 'CharadesMeanAP', 'per_class_average_precision'
]
