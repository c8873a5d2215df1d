"""CharadesMeanAP: per-class AP and mAP over the classes with a positive,
against a hand-computed case, the AP definition, scikit-learn and MMAction2's
mean_average_precision."""
import numpy as np
import pytest
import torch
from mmaction.evaluation.functional import mean_average_precision

from nl_plugin.action.evaluation import (CharadesMeanAP,
                                         per_class_average_precision)
from reference_ap import reference_average_precision

# 4 videos x 3 classes; class 2 has no positive video.
SCORES = np.array([[0.9, 0.2, 0.5], [0.8, 0.7, 0.1], [0.3, 0.6, 0.4],
                   [0.1, 0.4, 0.3]])
LABELS = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 0, 0]])
# class 0: positives ranked 1st and 3rd -> (1/1 + 2/3) / 2; class 1: the
# positive ranks first -> 1
HAND_AP = [(1 + 2 / 3) / 2, 1.0, float('nan')]


def _random_case(seed=0, videos=40, classes=6):
    rng = np.random.default_rng(seed)
    labels = (rng.random((videos, classes)) < 0.3).astype(np.int64)
    labels[:, -1] = 0  # one class without positives
    scores = np.round(rng.random((videos, classes)) + 0.5 * labels, 1)
    return scores, labels  # rounded to 0.1: many ties


def test_hand_computed_case():
    aps = per_class_average_precision(SCORES, LABELS)
    np.testing.assert_allclose(aps, HAND_AP, equal_nan=True)


def test_tied_scores_enter_together():
    # the tie at 0.5 (one positive, one negative) gives P = 1/2 at R = 1/2
    aps = per_class_average_precision(
        np.array([[0.5], [0.5], [0.2]]), np.array([[1], [0], [1]]))
    assert aps[0] == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)


# MMAction2 divides by zero for the class without positives, then drops it
@pytest.mark.filterwarnings('ignore:invalid value encountered in divide')
def test_matches_the_definition_and_mmaction():
    scores, labels = _random_case()
    aps = per_class_average_precision(scores, labels)
    reference = [
        reference_average_precision(scores[:, c], labels[:, c])
        for c in range(scores.shape[1])
    ]
    np.testing.assert_allclose(aps, reference, equal_nan=True)
    # MMAction2's mAP drops the classes without a positive, as ours does
    assert np.nanmean(aps) == pytest.approx(
        mean_average_precision(list(scores), list(labels)))


def test_matches_sklearn():
    metrics = pytest.importorskip('sklearn.metrics')
    for seed in range(3):
        scores, labels = _random_case(seed)
        aps = per_class_average_precision(scores, labels)
        for c in range(scores.shape[1] - 1):
            assert aps[c] == pytest.approx(
                metrics.average_precision_score(labels[:, c], scores[:, c]))
        assert np.isnan(aps[-1])


def _evaluate(metric, scores, labels):
    metric.process({}, [
        dict(pred_score=torch.tensor(s), gt_label=torch.tensor(l))
        for s, l in zip(scores, labels)
    ])
    return metric.evaluate(len(scores))


def test_metric_reports_map_over_classes_with_a_positive():
    metric = CharadesMeanAP(per_class=True)
    metric.dataset_meta = dict(class_ids=('c000', 'c001', 'c002'))
    results = _evaluate(metric, SCORES, LABELS)
    assert results['charades/mAP'] == pytest.approx((HAND_AP[0] + 1) / 2)
    assert results['charades/num_classes'] == 2
    assert results['charades/AP_c000'] == pytest.approx(HAND_AP[0])
    assert results['charades/AP_c001'] == 1.0
    assert 'charades/AP_c002' not in results  # no positive, no AP
    assert np.isnan(metric.per_class_ap['c002'])
    assert list(metric.per_class_ap) == ['c000', 'c001', 'c002']


def test_metric_without_per_class_keys_and_without_class_ids():
    metric = CharadesMeanAP()
    results = _evaluate(metric, SCORES, LABELS)
    assert set(results) == {'charades/mAP', 'charades/num_classes'}
    assert list(metric.per_class_ap) == ['0', '1', '2']


def test_bad_inputs_are_named():
    metric = CharadesMeanAP()
    with pytest.raises(ValueError, match='MultiLabelI3DHead'):
        metric.process(
            {}, [dict(pred_score=torch.rand(10, 3), gt_label=torch.zeros(3))
                 ])  # per-view scores
    with pytest.raises(ValueError, match='one entry per class'):
        metric.process(
            {}, [dict(pred_score=torch.rand(3), gt_label=torch.zeros(4))])
    with pytest.raises(ValueError, match='per_class'):
        CharadesMeanAP(per_class='yes')
    metric.dataset_meta = dict(class_ids=('c000', 'c001'))
    with pytest.raises(ValueError, match='names 2 classes'):
        _evaluate(metric, SCORES, LABELS)
