"""Keypoint R-CNN inference: heatmap logits -> image coordinates and scores."""
from typing import Tuple

import torch
from torch import Tensor


def heatmaps_to_keypoints(logits: Tensor,
                          rois: Tensor) -> Tuple[Tensor, Tensor]:
    """Each heatmap's most likely cell, mapped back into its RoI.

    The inverse of :func:`keypoint_heatmap_targets`: cell ``(row, col)`` of the
    ``M x M`` heatmap over RoI ``[x1, x2] x [y1, y2]`` decodes to its centre
    ``x = x1 + (col + 0.5) * (x2 - x1) / M`` (and likewise ``y``).

    Args:
        logits (Tensor): ``(R, K, M, M)`` heatmap logits.
        rois (Tensor): ``(R, 4)`` boxes ``x1, y1, x2, y2`` the heatmaps cover.

    Returns:
        tuple[Tensor, Tensor]: ``(R, K, 2)`` keypoints ``x, y`` and ``(R, K)``
        scores, the softmax probability of the chosen cell.
    """
    size = logits.shape[-1]
    probs = logits.flatten(2).softmax(dim=-1)  # (R, K, M*M)
    scores, index = probs.max(dim=-1)  # (R, K)
    row = (index // size).to(rois.dtype)
    col = (index % size).to(rois.dtype)
    x1, y1, x2, y2 = (c[:, None] for c in rois.unbind(-1))  # 4 x (R, 1)
    x = x1 + (col + 0.5) * (x2 - x1) / size  # (R, K)
    y = y1 + (row + 0.5) * (y2 - y1) / size
    return torch.stack([x, y], dim=-1), scores
