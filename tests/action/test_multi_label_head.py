"""MultiLabelI3DHead: sigmoid per class, BCE loss, views pooled by max or
mean."""
import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample

from nl_plugin.action.heads import MultiLabelI3DHead


def _head(**kwargs):
    head = MultiLabelI3DHead(num_classes=5, in_channels=8, **kwargs)
    head.init_weights()
    return head.eval()


@pytest.mark.parametrize('pooling', ['max', 'mean'])
def test_views_are_pooled_after_the_sigmoid(pooling):
    head = _head(view_pooling=pooling)
    feats = torch.randn(2 * 3, 8, 1, 2, 2)  # 2 videos x 3 views
    samples = [ActionDataSample() for _ in range(2)]
    with torch.no_grad():
        logits = head(feats)  # (6, 5)
        out = head.predict_by_feat(logits, samples)
    probs = torch.sigmoid(logits).reshape(2, 3, 5)
    expected = probs.max(dim=1).values if pooling == 'max' else probs.mean(1)
    for sample, want in zip(out, expected):
        assert sample.pred_score.shape == (5, )
        torch.testing.assert_close(sample.pred_score, want)


def test_loss_is_binary_cross_entropy_on_multi_hot_labels():
    head = _head()
    head.train()
    head.dropout.p = 0.0
    feats = torch.randn(3, 8, 1, 2, 2)
    labels = torch.tensor([[1., 0, 0, 1, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]])
    samples = []
    for label in labels:
        sample = ActionDataSample()
        sample.set_gt_label(label)
        samples.append(sample)
    losses = head.loss(feats, samples)
    expected = F.binary_cross_entropy_with_logits(head(feats), labels)
    torch.testing.assert_close(losses['loss_cls'], expected)


def test_a_batch_of_one_clip_keeps_its_label_vector():
    head = _head()
    head.train()
    sample = ActionDataSample()
    sample.set_gt_label(torch.tensor([0., 1, 0, 0, 1]))
    loss = head.loss(torch.randn(1, 8, 1, 2, 2), [sample])['loss_cls']
    assert loss.ndim == 0 and torch.isfinite(loss)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='view_pooling'):
        _head(view_pooling='avg')
    with pytest.raises(ValueError, match='average_clips'):
        _head(average_clips='prob')
