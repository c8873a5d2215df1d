"""Loads the instances' keypoints as an array aligned with ``gt_bboxes``."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadKeypoints(BaseTransform):
    """``results['instances'][i]['keypoints']`` -> ``results['gt_keypoints']``.

    Place it next to mmdet's ``LoadAnnotations``: both keep the order of
    ``results['instances']``, so row i of ``gt_keypoints`` is box i. COCO's
    keypoints are pixel indices; they become pixel-centre coordinates
    (``+ 0.5``), the continuous frame of mmdet's boxes, in which a resize
    multiplies and a horizontal flip is ``x -> width - x``. Unlabelled
    keypoints (``v = 0``) are ``(0, 0, 0)``.

    Writes ``gt_keypoints``: float32 ``(N, K, 3)``, ``[x, y, v]``.
    """

    def transform(self, results: dict) -> dict:
        if 'keypoint_names' not in results:
            raise ValueError(
                'LoadKeypoints needs results from CocoKeypointDataset '
                "(no 'keypoint_names' in the data info)")
        num_keypoints = len(results['keypoint_names'])
        rows = []
        for i, instance in enumerate(results['instances']):
            if 'keypoints' not in instance:
                raise ValueError(f'LoadKeypoints: instance {i} of '
                                 f"{results.get('img_path')} "
                                 "has no 'keypoints'")
            rows.append(instance['keypoints'])
        keypoints = np.array(
            rows, dtype=np.float32).reshape(-1, num_keypoints, 3)
        labelled = keypoints[..., 2:] > 0  # (N, K, 1)
        keypoints[..., :2] = np.where(labelled, keypoints[..., :2] + 0.5, 0)
        keypoints[..., 2:] = np.where(labelled, keypoints[..., 2:], 0)
        results['gt_keypoints'] = keypoints
        return results
