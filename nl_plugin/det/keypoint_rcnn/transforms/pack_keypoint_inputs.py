"""mmdet's ``PackDetInputs`` that also packs ``gt_keypoints``."""
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PackDetKeypointInputs(PackDetInputs):
    """``PackDetInputs`` plus ``gt_keypoints`` -> ``gt_instances.keypoints``
    (``(N, K, 3)`` tensor; crowd instances go to ``ignored_instances`` like
    their boxes)."""

    mapping_table = {
        **PackDetInputs.mapping_table, 'gt_keypoints': 'keypoints'
    }
