"""Mean average precision over classes, as Charades reports it.

Per class, the average precision of ranking the videos by that class's score
is the area under the step precision-recall curve, ``sum_k (R_k - R_{k-1})
P_k`` over the distinct score thresholds, the non-interpolated AP of
``sklearn.metrics.average_precision_score`` (videos with tied scores enter
together). The mean is taken over the classes that have at least one positive
video; a class without one has no AP (NaN). MMAction2's
``binary_precision_recall_curve`` gives the curve.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmaction.evaluation.functional.accuracy import \
    binary_precision_recall_curve
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric

VIDEO_SCORE_HINT = (
    'CharadesMeanAP takes one score per class and video, shape (classes,): '
    'use MultiLabelI3DHead, which pools the views of a video')


def per_class_average_precision(scores: np.ndarray,
                                labels: np.ndarray) -> np.ndarray:
    """AP of each class.

    Args:
        scores (np.ndarray): (N, C) scores of N videos.
        labels (np.ndarray): (N, C) multi-hot ground truth (1 = positive).

    Returns:
        np.ndarray: (C,) float64; NaN for a class without a positive.
    """
    if scores.shape != labels.shape or scores.ndim != 2:
        raise ValueError(f'scores and labels must both be (N, C), got '
                         f'{scores.shape} and {labels.shape}')
    aps = np.full(scores.shape[1], np.nan)
    for c in np.flatnonzero((labels == 1).any(axis=0)):
        precision, recall, _ = binary_precision_recall_curve(
            scores[:, c], labels[:, c])
        aps[c] = -np.sum(np.diff(recall) * precision[:-1])
    return aps


@METRICS.register_module()
class CharadesMeanAP(BaseMetric):
    """mAP over classes of multi-label video scores (Charades' number).

    Reads ``pred_score`` (C,) per video (e.g. the max over views of sigmoid
    scores from :class:`MultiLabelI3DHead`) and ``gt_label`` (C,) multi-hot.
    Results, prefixed ``charades/``: ``mAP`` (in [0, 1]; the paper's Table 4
    gives it in %) over the ``num_classes`` classes with a positive, and with
    ``per_class=True`` ``AP_<class id>`` for each of them. After each
    evaluation ``per_class_ap`` holds ``{class id: AP}`` of every class (NaN
    without a positive).

    Args:
        per_class (bool): Add each class's AP to the results. Default False.
        collect_device (str): Device to gather results on, as ``BaseMetric``.
        prefix (str, optional): Metric name prefix; default ``'charades'``.
    """

    default_prefix = 'charades'

    def __init__(self,
                 per_class: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not isinstance(per_class, bool):
            raise ValueError(
                f'per_class must be True or False, got {per_class!r}')
        self.per_class = per_class
        self.per_class_ap = {}

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            score = _vector(sample['pred_score'], 'pred_score')
            label = _vector(sample['gt_label'], 'gt_label')
            if score.shape != label.shape:
                raise ValueError(
                    f'pred_score {score.shape} and gt_label {label.shape} '
                    'must have one entry per class each; '
                    f'{VIDEO_SCORE_HINT}')
            self.results.append(dict(score=score, label=label))

    def compute_metrics(self, results: list) -> dict:
        scores = np.stack([r['score'] for r in results])  # (N, C)
        labels = np.stack([r['label'] for r in results])  # (N, C)
        aps = per_class_average_precision(scores, labels)  # (C,)
        ids = (self.dataset_meta or {}).get('class_ids') or tuple(
            str(c) for c in range(len(aps)))
        if len(ids) != len(aps):
            raise ValueError(f'{len(aps)} scores per video but the data set '
                             f'names {len(ids)} classes')
        self.per_class_ap = dict(zip(ids, aps.tolist()))
        valid = ~np.isnan(aps)
        metrics = dict(
            mAP=float(aps[valid].mean()) if valid.any() else float('nan'),
            num_classes=int(valid.sum()))
        if self.per_class:
            metrics.update({
                f'AP_{i}': ap
                for i, ap in self.per_class_ap.items() if not np.isnan(ap)
            })
        return metrics


def _vector(value, name: str) -> np.ndarray:
    array = torch.as_tensor(value).detach().float().cpu().numpy()
    if array.ndim != 1:
        raise ValueError(
            f'{name} has shape {array.shape}; {VIDEO_SCORE_HINT} and a '
            'multi-hot gt_label (CharadesDataset)')
    return array
