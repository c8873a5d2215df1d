"""Metrics: clip- and video-level accuracy."""
from .clip_video_accuracy import ClipVideoAccuracy

__all__ = ['ClipVideoAccuracy']
