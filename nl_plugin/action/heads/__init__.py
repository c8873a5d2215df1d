"""Recognition heads: one video-level score per video, per-view scores kept."""
from .video_level_head import VIEW_SCORES, VideoLevelI3DHead

__all__ = ['VideoLevelI3DHead', 'VIEW_SCORES']
