"""Mirrors keypoints the way an image flip did, swapping left and right."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class FlipKeypoints(BaseTransform):
    """Applies the flip mmdet's ``RandomFlip`` chose to ``gt_keypoints``.

    Place it right after ``RandomFlip``, which writes ``flip`` and
    ``flip_direction``. A horizontal flip maps ``x -> width - x`` (pixel-centre
    coordinates, as mmdet flips boxes) and relabels every keypoint as its
    mirror (``left_eye`` <-> ``right_eye``) by
        ``results['keypoint_flip_indices']``
    from :class:`CocoKeypointDataset`. Only horizontal flips are supported.
    """

    def transform(self, results: dict) -> dict:
        if 'flip' not in results:
            raise ValueError(
                "FlipKeypoints needs 'flip': place it after RandomFlip")
        if not results['flip']:
            return results
        if results['flip_direction'] != 'horizontal':
            raise ValueError(
                'FlipKeypoints supports flip_direction=horizontal only, '
                f"got {results['flip_direction']!r}")
        keypoints = results['gt_keypoints'].copy()  # (N, K, 3)
        width = results['img_shape'][1]
        labelled = keypoints[..., 2] > 0  # (N, K)
        keypoints[..., 0] = np.where(labelled, width - keypoints[..., 0], 0)
        indices = list(results['keypoint_flip_indices'])
        results['gt_keypoints'] = keypoints[:,
                                            indices]  # (N, K, 3), relabelled
        return results
