"""Recognition heads: one video-level score per video with per-view scores
kept; the official Kinetics models' fully convolutional head; the multi-label
I3D head of the Charades models."""
from .fully_conv_head import FullyConvHead
from .multi_label_i3d_head import MultiLabelI3DHead
from .video_level_head import VIEW_SCORES, VideoLevelI3DHead

__all__ = [
    'FullyConvHead', 'MultiLabelI3DHead', 'VideoLevelI3DHead', 'VIEW_SCORES'
]
