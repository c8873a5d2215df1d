"""Keypoint R-CNN training targets: each keypoint's cell in its RoI's
heatmap."""
import torch
from torch import Tensor


def keypoint_heatmap_targets(rois: Tensor, keypoints: Tensor,
                             heatmap_size: int) -> Tensor:
    """Flat index ``row * M + col`` of each keypoint in the ``M x M`` heatmap
    of its RoI.

    The RoI ``[x1, x2] x [y1, y2]`` is cut into ``M x M`` equal cells; a
    keypoint at ``(x, y)`` (pixel-centre coordinates, as mmdet's boxes) falls
    in column ``floor((x - x1) / (x2 - x1) * M)``; one on the right or bottom
    edge goes to the last cell. Unlabelled keypoints (``v = 0``) and keypoints
    outside the RoI get ``-1`` (ignored by the loss).

    Args:
        rois (Tensor): ``(R, 4)`` boxes ``x1, y1, x2, y2``.
        keypoints (Tensor): ``(R, K, 3)`` ``[x, y, v]`` of the RoI's ground
            truth.
        heatmap_size (int): ``M``.

    Returns:
        Tensor: ``(R, K)`` long, in ``[0, M*M)`` or ``-1``.
    """
    if rois.shape[0] != keypoints.shape[0]:
        raise ValueError(
            f'rois ({rois.shape[0]}) and keypoints ({keypoints.shape[0]}) '
            'must have one row per RoI')
    x1, y1, x2, y2 = (c[:, None] for c in rois.unbind(-1))  # 4 x (R, 1)
    x, y, v = keypoints.unbind(-1)  # 3 x (R, K)
    inside = (x >= x1) & (x <= x2) & (y >= y1) & (y <= y2)  # (R, K)
    col = _cell(x - x1, x2 - x1, heatmap_size)  # (R, K)
    row = _cell(y - y1, y2 - y1, heatmap_size)
    targets = row * heatmap_size + col
    return torch.where(inside & (v > 0), targets, torch.full_like(targets, -1))


def _cell(offset: Tensor, extent: Tensor, size: int) -> Tensor:
    """Cell of an offset into ``[0, extent]`` cut into ``size`` cells."""
    scaled = offset / extent.clamp(min=1e-6) * size
    return scaled.floor().long().clamp(0, size - 1)
