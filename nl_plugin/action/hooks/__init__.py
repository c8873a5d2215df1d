"""Runner hooks for video training."""
from .skipped_videos_hook import SkippedVideosHook, robust_datasets

__all__ = ['SkippedVideosHook', 'robust_datasets']
