"""VideoLevelI3DHead: one score and one label per video (softmax or logits
averaged over the views, checked against numpy), every view's logits kept in
view_scores, bad averaging refused."""
import numpy as np
import pytest
import torch
from mmaction.models.heads import I3DHead
from mmaction.structures import ActionDataSample

from nl_plugin.action import VideoLevelI3DHead


def _head(**kwargs):
    return VideoLevelI3DHead(num_classes=5, in_channels=8, **kwargs).eval()


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize('average', ['prob', 'score'])
@pytest.mark.parametrize('num_videos,num_views', [(1, 10), (3, 30), (2, 1)])
def test_one_prediction_per_video_and_the_views_kept(average, num_videos,
                                                     num_views):
    logits = torch.randn(num_videos * num_views, 5) * 3
    samples = [ActionDataSample() for _ in range(num_videos)]
    out = _head(average_clips=average).predict_by_feat(logits, samples)
    views = logits.numpy().reshape(num_videos, num_views, 5)
    want = (_softmax(views).mean(axis=1) if average == 'prob' else views.mean(
        axis=1))  # (B, K)
    for i, sample in enumerate(out):
        assert sample.pred_score.shape == (5, )
        np.testing.assert_allclose(
            sample.pred_score.numpy(), want[i], rtol=1e-5, atol=1e-6)
        assert sample.pred_label.tolist() == [int(want[i].argmax())]
        np.testing.assert_array_equal(sample.view_scores.numpy(), views[i])
        assert 'view_scores' in sample.to_dict()  # reaches the metrics


def test_forward_and_weights_are_i3d_heads():
    head, upstream = _head(), I3DHead(num_classes=5, in_channels=8).eval()
    upstream.load_state_dict(head.state_dict(), strict=True)
    x = torch.randn(4, 8, 2, 3, 3)
    torch.testing.assert_close(head(x), upstream(x))


@pytest.mark.parametrize('bad', [None, 'mean', 1])
def test_per_view_averaging_is_refused_with_the_argument_named(bad):
    with pytest.raises(ValueError, match='average_clips'):
        _head(average_clips=bad)
