"""RoI heads: Keypoint R-CNN's keypoint branch on mmdet's StandardRoIHead."""
from .keypoint_decoding import heatmaps_to_keypoints
from .keypoint_roi_head import KeypointRoIHead
from .keypoint_targets import keypoint_heatmap_targets

__all__ = ['KeypointRoIHead', 'keypoint_heatmap_targets', 'heatmaps_to_keypoints']
