"""Loads the instances' keypoints as an array aligned with ``gt_bboxes``."""
import numpy as np
from mmcv.transforms import BaseTransform
from mmdet.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadKeypoints(BaseTransform):
    """``results['instances'][i]['keypoints']`` -> ``results['gt_keypoints']``.

    Place it right after mmdet's ``LoadAnnotations`` (``with_bbox=True``) and
    before any geometric transform: row i of ``gt_keypoints`` is box i. COCO's
    keypoints are pixel indices; they become pixel-centre coordinates
    (``+ 0.5``), the continuous frame of mmdet's boxes and of its
    ``homography_matrix``. Unlabelled keypoints (``v = 0``) are ``(0, 0, 0)``.
    The geometric transforms that follow leave the keypoints alone;
    :class:`PackDetKeypointInputs` moves them once, at the end (see
    :mod:`.keypoint_geometry`).

    Writes ``gt_keypoints``: float32 ``(N, K, 3)``, ``[x, y, v]``, and
    ``keypoint_bboxes``: float32 ``(N, 4)``, the boxes they belong to.
    """

    def transform(self, results: dict) -> dict:
        if 'keypoint_names' not in results:
            raise ValueError(
                'LoadKeypoints needs results from CocoKeypointDataset '
                "(no 'keypoint_names' in the data info)")
        if results.get('homography_matrix') is not None:
            raise ValueError(
                'LoadKeypoints must come before the geometric transforms '
                '(a homography_matrix is already recorded)')
        if results.get('gt_bboxes') is None:
            raise ValueError("LoadKeypoints needs 'gt_bboxes': place it after "
                             "mmdet's LoadAnnotations(with_bbox=True)")
        boxes = results['gt_bboxes']
        boxes = np.asarray(getattr(boxes, 'tensor', boxes), dtype=np.float32)
        instances = results['instances']
        if len(boxes) != len(instances):
            raise ValueError(
                f'LoadKeypoints: {len(boxes)} gt_bboxes for '
                f'{len(instances)} instances; place it right after '
                'LoadAnnotations, before any transform that drops instances')
        num_keypoints = len(results['keypoint_names'])
        rows = []
        for i, instance in enumerate(instances):
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
        results['keypoint_bboxes'] = boxes.copy()
        return results
