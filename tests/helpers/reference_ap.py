"""Average precision from its definition, independent of the code under
test."""
import numpy as np


def reference_average_precision(scores, labels) -> float:
    """Area under the step precision-recall curve of one class.

    For each distinct score ``t``, from the highest down, the videos scoring
    ``>= t`` are predicted positive: precision ``P(t)``, recall ``R(t)``. AP
    is ``sum (R(t) - R(previous t)) * P(t)``; videos with tied scores enter
    together. NaN when there is no positive.
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels) == 1
    positives = labels.sum()
    if positives == 0:
        return float('nan')
    ap, previous_recall = 0.0, 0.0
    for threshold in sorted(set(scores.tolist()), reverse=True):
        predicted = scores >= threshold
        true_positives = (predicted & labels).sum()
        recall = true_positives / positives
        ap += (recall - previous_recall) * true_positives / predicted.sum()
        previous_recall = recall
    return float(ap)
