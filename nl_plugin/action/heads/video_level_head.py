"""MMAction2's ``I3DHead`` scoring each video once while keeping every view's
scores.

MMAction2 writes ``pred_score`` either averaged over a video's test views
(``average_clips='prob'`` or ``'score'``; what ``inference_recognizer``, its
Inferencer and demos expect) or per view (``average_clips=None``; what
clip-level accuracy needs). This head gives both: ``pred_score`` and
``pred_label`` per video, and the raw per-view scores in the extra field
``view_scores``.
"""
from typing import List

import torch
from mmaction.models.heads import I3DHead
from mmaction.registry import MODELS

# The field of the data sample that holds the per-view scores.
VIEW_SCORES = 'view_scores'
VIDEO_AVERAGES = ('prob', 'score')


@MODELS.register_module()
class VideoLevelI3DHead(I3DHead):
    """``I3DHead`` with one prediction per video and the views' scores kept.

    ``pred_score``: ``(num_classes,)``, the views' softmax averaged
    (``average_clips='prob'``, the paper's video score) or their logits
    averaged (``'score'``); ``pred_label``: its arg-max; ``view_scores``:
    ``(views, num_classes)`` logits of every view (clip x crop), in the order
    of the inputs, for clip-level accuracy.

    Args:
        num_classes (int): Classes.
        in_channels (int): Channels of the input features.
        average_clips (str): ``'prob'`` (default) or ``'score'``.
        **kwargs: The other arguments of MMAction2's ``I3DHead``
            (``dropout_ratio``, ``init_std``, ...).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 average_clips: str = 'prob',
                 **kwargs):
        if average_clips not in VIDEO_AVERAGES:
            raise ValueError(
                f'average_clips must be one of {list(VIDEO_AVERAGES)} (one '
                'score per video; the views are kept in view_scores), got '
                f'{average_clips!r}')
        super().__init__(
            num_classes, in_channels, average_clips=average_clips, **kwargs)

    def predict_by_feat(self, cls_scores: torch.Tensor,
                        data_samples: List) -> List:
        """Video-level ``pred_score`` / ``pred_label`` plus
        ``view_scores``."""
        num_videos = len(data_samples)
        # (B * V, K) -> (B, V, K)
        views = cls_scores.detach().view(num_videos, -1, cls_scores.shape[-1])
        data_samples = super().predict_by_feat(cls_scores, data_samples)
        for sample, scores in zip(data_samples, views):
            sample.set_field(scores, VIEW_SCORES)
        return data_samples
