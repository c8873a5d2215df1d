"""mmdet's ``PackDetInputs`` that also packs ``gt_keypoints``."""
from mmdet.datasets.transforms import PackDetInputs
from mmdet.registry import TRANSFORMS

from .keypoint_geometry import keypoints_in_image


@TRANSFORMS.register_module()
class PackDetKeypointInputs(PackDetInputs):
    """``PackDetInputs`` plus ``gt_keypoints`` -> ``gt_instances.keypoints``.

    Before packing, the keypoints loaded by :class:`LoadKeypoints` are moved
    by every geometric transform of the pipeline at once and keep the rows of
    the remaining boxes (:func:`.keypoint_geometry.keypoints_in_image`);
    crowd instances go to ``ignored_instances`` like their boxes. The result is
    an ``(N, K, 3)`` tensor.
    """

    mapping_table = {
        **PackDetInputs.mapping_table, 'gt_keypoints': 'keypoints'
    }

    def transform(self, results: dict) -> dict:
        if 'gt_keypoints' in results:
            results['gt_keypoints'] = keypoints_in_image(results)
        return super().transform(results)
