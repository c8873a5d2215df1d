"""Scales keypoints with the factors an image resize wrote."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class ResizeKeypoints(BaseTransform):
    """Multiplies ``gt_keypoints`` x, y by ``results['scale_factor']`` (w, h).

    Place it right after mmdet's ``Resize``, which writes ``scale_factor``.
    Unlabelled keypoints stay ``(0, 0, 0)``.
    """

    def transform(self, results: dict) -> dict:
        if 'scale_factor' not in results:
            raise ValueError(
                "ResizeKeypoints needs 'scale_factor': place it after "
                "mmdet's Resize")
        keypoints = results['gt_keypoints'].copy()  # (N, K, 3)
        keypoints[..., :2] *= np.asarray(
            results['scale_factor'], dtype=np.float32)
        results['gt_keypoints'] = keypoints
        return results
