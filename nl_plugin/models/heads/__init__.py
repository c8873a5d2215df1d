"""Heads with non-local blocks."""
from .nl_keypoint_head import NLKeypointHead

__all__ = ['NLKeypointHead']
