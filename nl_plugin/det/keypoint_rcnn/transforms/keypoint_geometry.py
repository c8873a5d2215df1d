"""Keypoints carried through mmdet's geometric transforms, in one step.

mmdet's geometric transforms (``Resize``, ``RandomFlip``, ``RandomCrop``,
``RandomAffine``, ``Rotate`` / ``Shear*`` / ``Translate*`` ...) move
``gt_bboxes`` and compose the matrix of each move into
``results['homography_matrix']`` (the documented hook this module relies on);
transforms that drop instances (``RandomCrop``, ``FilterAnnotations`` ...)
drop rows of ``gt_bboxes``. So the keypoints need not follow each transform:
:func:`keypoints_in_image`, called once when the sample is packed, maps the
keypoints as loaded through the accumulated matrix, keeps the rows of the
instances that are still there, relabels left and right after a mirroring,
and marks keypoints that left the image as unlabelled. Any geometric
transform that records its matrix is thereby supported, none has to be
subclassed, and one that moves boxes without recording its matrix (e.g.
``Expand``, ``MinIoURandomCrop``, ``RandomShift``, ``Mosaic``) is detected
and refused instead of leaving the keypoints stale.
"""
import numpy as np
import torch
from mmdet.structures.bbox import HorizontalBoxes

# A box further than this (pixels) from every loaded box moved by the
# recorded matrix was moved by something that did not record its move.
BOX_TOLERANCE = 0.5


def _as_boxes(boxes) -> HorizontalBoxes:
    if isinstance(boxes, HorizontalBoxes):
        return boxes.clone()
    return HorizontalBoxes(
        torch.as_tensor(np.asarray(boxes, dtype=np.float32)))


def project_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``(..., 2)`` points ``(x, y)`` mapped by a ``(3, 3)`` homography."""
    ones = np.ones(points.shape[:-1] + (1, ), dtype=np.float64)
    homogeneous = np.concatenate([points, ones], -1) @ matrix.T  # (..., 3)
    return homogeneous[..., :2] / homogeneous[..., 2:]


def surviving_rows(loaded_boxes, current_boxes, matrix: np.ndarray,
                   img_shape) -> np.ndarray:
    """Which loaded instance each row of the current ``gt_bboxes`` is.

    A current box is a loaded box moved by ``matrix`` (as mmdet's
    ``project_`` moves boxes), clipped to the image or not; mmdet's filters
    keep the order of the instances, so each current box is matched to the
    next loaded box that fits.

    Args:
        loaded_boxes: ``(N, 4)`` boxes as :class:`LoadKeypoints` saw them.
        current_boxes: ``(M, 4)`` boxes after the geometric transforms.
        matrix (np.ndarray): ``(3, 3)`` accumulated ``homography_matrix``.
        img_shape: ``(h, w)`` of the current image.

    Returns:
        np.ndarray: ``(M,)`` int64 row indices into the loaded instances.

    Raises:
        ValueError: if a current box is no loaded box moved by ``matrix``.
    """
    moved = _as_boxes(loaded_boxes)
    moved.project_(matrix)
    clipped = moved.clone()
    clipped.clip_(img_shape)
    candidates = torch.stack([moved.tensor, clipped.tensor], 1)  # (N, 2, 4)
    current = _as_boxes(current_boxes).tensor  # (M, 4)
    rows, start = [], 0
    for j, box in enumerate(current):
        # (N - start,): largest coordinate error of the closer candidate
        error = (candidates[start:] - box).abs().amax(-1).amin(-1)
        fits = (error <= BOX_TOLERANCE).nonzero()
        if len(fits) == 0:
            raise ValueError(
                f'gt_bboxes row {j} {box.tolist()} is none of the boxes '
                'LoadKeypoints saw, moved by homography_matrix: a transform '
                'after LoadKeypoints moved the boxes without recording its '
                "move (mmdet's Resize, RandomFlip, RandomCrop, RandomAffine "
                'and Rotate / Shear / Translate record it; Expand, '
                'MinIoURandomCrop, RandomShift, Mosaic do not), so the '
                'keypoints cannot follow')
        rows.append(start + int(fits[0]))
        start = rows[-1] + 1
    return np.asarray(rows, dtype=np.int64)


def keypoints_in_image(results: dict) -> np.ndarray:
    """``gt_keypoints`` of the current image, one row per current box.

    Reads ``gt_keypoints`` and ``keypoint_bboxes`` (written by
    :class:`LoadKeypoints`), ``gt_bboxes``, ``img_shape``,
    ``homography_matrix`` (identity when absent) and, after a mirroring,
    ``keypoint_flip_indices``.

    Returns:
        np.ndarray: float32 ``(M, K, 3)`` ``[x, y, v]``; unlabelled keypoints
        and keypoints outside the image are ``(0, 0, 0)``.
    """
    matrix = results.get('homography_matrix')
    matrix = np.eye(3) if matrix is None else np.asarray(matrix, np.float64)
    img_shape = results['img_shape'][:2]
    rows = surviving_rows(results['keypoint_bboxes'], results['gt_bboxes'],
                          matrix, img_shape)
    keypoints = results['gt_keypoints'][rows].astype(np.float64)  # (M, K, 3)
    keypoints[..., :2] = project_points(keypoints[..., :2], matrix)
    if np.linalg.det(matrix[:2, :2]) < 0:  # a mirror image: left <-> right
        keypoints = keypoints[:, list(results['keypoint_flip_indices'])]
    height, width = img_shape
    x, y = keypoints[..., 0], keypoints[..., 1]
    inside = (x >= 0) & (x < width) & (y >= 0) & (y < height)  # (M, K)
    keep = (keypoints[..., 2:] > 0) & inside[..., None]  # (M, K, 1)
    return np.where(keep, keypoints, 0).astype(np.float32)
