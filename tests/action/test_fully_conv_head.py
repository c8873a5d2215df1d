"""FullyConvHead: the official pooling, classifier per position and
per-position softmax averaged at test time, against I3DHead and a direct
numpy computation."""
import numpy as np
import pytest
import torch
from mmaction.models.heads import I3DHead
from mmaction.structures import ActionDataSample

from nl_plugin.action import FullyConvHead

C, K = 16, 5


@pytest.fixture(autouse=True)
def _no_grad():
    with torch.no_grad():
        yield


def _heads(**kwargs):
    ours = FullyConvHead(K, C, dropout_ratio=0.5, **kwargs)
    theirs = I3DHead(K, C, dropout_ratio=0.5)
    with torch.no_grad():
        ours.fc_cls.weight.normal_()
        ours.fc_cls.bias.normal_()
    theirs.load_state_dict(ours.state_dict())  # same keys and shapes
    return ours.eval(), theirs.eval()


def _samples(n):
    return [ActionDataSample().set_gt_label(i % K) for i in range(n)]


def test_one_pooled_position_is_i3d_head():
    """224 crops: res5 is 7x7, one pooled position."""
    ours, theirs = _heads()
    x = torch.randn(3, C, 4, 7, 7)
    assert ours(x).shape == (3, K, 1, 1, 1)
    torch.testing.assert_close(ours(x).flatten(1), theirs(x))
    assert torch.allclose(
        ours.loss(x, _samples(3))['loss_cls'],
        theirs.loss(x, _samples(3))['loss_cls'])
    got = ours.predict(x, _samples(3))
    want = theirs(x).softmax(-1)
    for sample, probs in zip(got, want):  # one view each
        torch.testing.assert_close(sample.view_scores.exp(), probs[None])
        torch.testing.assert_close(sample.pred_score, probs)


def test_a_2x2_map_averages_the_softmax_of_each_position():
    """256 crops: res5 is 8x8, pool 7x7 stride 1 leaves 2x2 positions."""
    ours, _ = _heads()
    x = torch.randn(2, C, 4, 8, 8)
    scores = torch.cat([s.view_scores for s in ours.predict(x, _samples(2))])
    # numpy: box average (T, 7, 7) at each of 2x2 offsets, logits, softmax
    feats, w = x.numpy().astype(np.float64), ours.fc_cls.weight.detach()
    b = ours.fc_cls.bias.detach().double().numpy()
    probs = []
    for i in range(2):
        for j in range(2):
            pooled = feats[:, :, :, i:i + 7, j:j + 7].mean(axis=(2, 3, 4))
            logits = pooled @ w.double().numpy().T + b
            e = np.exp(logits - logits.max(1, keepdims=True))
            probs.append(e / e.sum(1, keepdims=True))
    want = np.mean(probs, axis=0)
    np.testing.assert_allclose(scores.exp().numpy(), want, rtol=1e-5)
    # not the softmax of the mean logit (what I3DHead would give)
    mean_logit = ours(x).flatten(2).mean(-1).softmax(-1)
    assert (mean_logit - scores.exp()).abs().max() > 1e-3


def test_views_compose_with_mmaction2_prob_averaging():
    """average_clips='prob' softmaxes each view's scores and averages: with
    our log-probabilities that is the mean of the official per-view
    probabilities; the per-view ones are kept in view_scores."""
    ours, _ = _heads(average_clips='prob')
    x = torch.randn(6, C, 4, 8, 8)  # 2 videos x 3 views
    samples = ours.predict(x, _samples(2))
    video = torch.stack([s.pred_score for s in samples])
    views = torch.stack([s.view_scores for s in samples])  # (2, 3, K)
    official = torch.stack([
        ours.predict(x[i:i + 1], _samples(1))[0].view_scores[0]
        for i in range(6)
    ])  # each view alone: (6, K) log-probabilities
    torch.testing.assert_close(views.view(6, K), official)
    torch.testing.assert_close(video, official.exp().view(2, 3, K).mean(1))


def test_small_maps_pool_whole_and_dropout_only_in_training():
    ours, theirs = _heads()
    x = torch.randn(2, C, 2, 3, 3)  # smaller than 7x7: global pooling
    torch.testing.assert_close(ours(x).flatten(1), theirs(x))
    ours.train()
    assert not torch.equal(ours(x), ours(x))  # dropout 0.5


@pytest.mark.parametrize('kwargs,culprit', [
    (dict(spatial_pool_size=0), 'spatial_pool_size'),
    (dict(spatial_pool_size=True), 'spatial_pool_size'),
    (dict(spatial_type='max'), 'spatial_type'),
])
def test_bad_arguments_name_themselves(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        FullyConvHead(K, C, **kwargs)


def test_wrong_features_are_reported():
    with pytest.raises(ValueError, match='FullyConvHead expects'):
        FullyConvHead(K, C)(torch.randn(1, C + 1, 1, 7, 7))
