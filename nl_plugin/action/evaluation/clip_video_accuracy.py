"""Clip-level and video-level top-k accuracy from per-view scores.

*Clip-level*: every view (clip x crop) of a video is scored on its own, as if
it were the only input. *Video-level* (the paper's number): the softmax scores
of all views of a video are averaged, then ranked. Users confuse the two; this
metric reports both.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

from ..heads import VIEW_SCORES

PER_VIEW_HINT = (
    'ClipVideoAccuracy needs the scores of every view, shape (views, '
    f'classes), in {VIEW_SCORES!r} or pred_score: use '
    "cls_head=dict(type='VideoLevelI3DHead', ...), which keeps them in "
    f'{VIEW_SCORES!r}, or an MMAction2 head with average_clips=None')


def true_class_ranks(probs: np.ndarray, label: int) -> np.ndarray:
    """How many classes score strictly higher than the true one.

    Args:
        probs (np.ndarray): (..., C) scores.
        label (int): The true class.

    Returns:
        np.ndarray: (...,) int; the prediction is top-k correct iff rank < k.
    """
    return (probs > probs[..., label:label + 1]).sum(axis=-1)


@METRICS.register_module()
class ClipVideoAccuracy(BaseMetric):
    """Top-k accuracy per clip (each view alone) and per video (mean softmax of
    views).

    Reads the per-view scores, shape (views, classes): ``view_scores``
    (``VideoLevelI3DHead``, whose ``pred_score`` is per video) or else
    ``pred_score`` (MMAction2 heads with ``average_clips=None``), and
    ``gt_label``. The video-level score is always the mean of the views'
    softmax, whatever the head averaged into ``pred_score``.
    Keeps two small integer records per video, not the scores. Results:
    ``video_top{k}`` and then ``clip_top{k}`` for every k, in [0, 1], prefixed
    ``acc/`` (so ``save_best='auto'`` tracks ``acc/video_top1``).

    Args:
        topk (Sequence[int]): The k's. Default (1, 5).
        softmax (bool): Apply a softmax to each view's scores (True, default,
            for logits); False when they already
            are probabilities.
        collect_device (str): Device to gather results on, as ``BaseMetric``.
        prefix (str, optional): Metric name prefix; default ``'acc'``.
    """

    default_prefix = 'acc'

    def __init__(self,
                 topk: Sequence[int] = (1, 5),
                 softmax: bool = True,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        topk = tuple(topk) if isinstance(topk, (list, tuple)) else (topk, )
        if not topk or any(
                isinstance(k, bool) or not isinstance(k, int) or k < 1
                for k in topk):
            raise ValueError(f'topk must be positive ints, got {topk!r}')
        if not isinstance(softmax, bool):
            raise ValueError(f'softmax must be True or False, got {softmax!r}')
        self.topk = topk
        self.softmax = softmax

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            probs = self._view_probs(
                sample.get(VIEW_SCORES, sample['pred_score']))  # (V, C)
            label = _single_label(sample['gt_label'], probs.shape[-1])
            self.results.append(
                dict(
                    view_ranks=true_class_ranks(probs, label),  # (V,)
                    video_rank=int(
                        true_class_ranks(probs.mean(axis=0), label))))

    def _view_probs(self, scores) -> np.ndarray:
        scores = torch.as_tensor(scores).detach().float().cpu()
        if scores.ndim != 2:
            raise ValueError(f'{PER_VIEW_HINT}; got scores of shape '
                             f'{tuple(scores.shape)}')
        if self.softmax:
            scores = scores.softmax(dim=-1)  # (V, C)
        return scores.numpy()

    def compute_metrics(self, results: list) -> dict:
        view_ranks = np.concatenate([r['view_ranks']
                                     for r in results])  # (sum V,)
        video_ranks = np.array([r['video_rank']
                                for r in results])  # (num_videos,)
        # video-level first: save_best='auto' picks the first key, the paper's
        # number
        metrics = {
            f'video_top{k}': float((video_ranks < k).mean())
            for k in self.topk
        }
        metrics.update({
            f'clip_top{k}': float((view_ranks < k).mean())
            for k in self.topk
        })
        return metrics


def _single_label(gt_label, num_classes: int) -> int:
    """The one label of a video, which must index one of the ``num_classes``
    scores (a negative one would count from the end)."""
    label = torch.as_tensor(gt_label).reshape(-1)
    if label.numel() != 1:
        raise ValueError('ClipVideoAccuracy takes one label per video, got '
                         f'{label.tolist()}')
    label = int(label.item())
    if not 0 <= label < num_classes:
        raise ValueError(
            f'ClipVideoAccuracy: gt_label {label} is outside the '
            f'{num_classes} classes of pred_score (0..{num_classes - 1}); '
            'check the annotation list')
    return label
