"""Keypoint R-CNN (mmdet 3.3 has none) with the paper's NL keypoint head
(Table 6): head, RoI head, targets and decoding, COCO keypoint data, their
transforms and the OKS metric."""
from .coco_keypoint_dataset import CocoKeypointDataset
from .coco_keypoint_metric import CocoKeypointMetric
from .decoding import heatmaps_to_keypoints
from .flip_indices import keypoint_flip_indices
from .keypoint_head import NLKeypointHead
from .roi_head import KeypointRoIHead
from .targets import keypoint_heatmap_targets
from .transforms import LoadKeypoints, PackDetKeypointInputs

__all__ = [
    'NLKeypointHead', 'KeypointRoIHead', 'keypoint_heatmap_targets',
    'heatmaps_to_keypoints', 'CocoKeypointDataset', 'keypoint_flip_indices',
    'LoadKeypoints', 'PackDetKeypointInputs', 'CocoKeypointMetric'
]
