"""ClipVideoAccuracy: clip- and video-level top-k on hand-built scores, and on
the per-view scores of a recognizer: ``view_scores`` of VideoLevelI3DHead or
``pred_score`` of an MMAction2 head with ``average_clips=None``."""
import numpy as np
import pytest
import torch
import torch.nn as nn
from mmaction.structures import ActionDataSample
from mmengine.dataset import pseudo_collate
from mmengine.evaluator import Evaluator
from mmengine.registry import MODELS, init_default_scope

from nl_plugin.action import ClipVideoAccuracy
from nl_plugin.action.datasets.synthetic_videos import render_video, write_mp4
from pipeline_helpers import build_pipeline, dataset_config, video_results

# 4 videos x 3 views x 3 classes of probabilities, with (label, rank of the
# label per view, rank of the label in the mean over views) worked out by hand.
VIEWS = {
    'A': (0, [[0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.35, 0.05,
                                                 0.6]]),  # ranks 0,1,1; mean 0
    'B': (2, [[0.1, 0.2, 0.7], [0.5, 0.1, 0.4], [0.45, 0.05,
                                                 0.5]]),  # ranks 0,1,0; mean 0
    'C': (1, [[0.5, 0.4, 0.1], [0.6, 0.3, 0.1], [0.1, 0.8,
                                                 0.1]]),  # ranks 1,1,0; mean 0
    'D': (2, [[0.7, 0.25, 0.05], [0.1, 0.3, 0.6],
              [0.6, 0.3, 0.1]]),  # ranks 2,0,2; mean 2
}
EXPECTED = {
    'acc/video_top1': 3 / 4,
    'acc/video_top2': 3 / 4,
    'acc/video_top3': 1.0,
    'acc/clip_top1': 5 / 12,
    'acc/clip_top2': 10 / 12,
    'acc/clip_top3': 1.0,
}


def samples(as_logits, in_view_field):
    """Per-view scores in ``pred_score`` (``average_clips=None``) or in
    ``view_scores`` beside a misleading video-level ``pred_score`` (the first
    view's, which the metric must not read)."""
    out = []
    for label, probs in VIEWS.values():
        scores = torch.tensor(probs).log() if as_logits else torch.tensor(
            probs)
        sample = ActionDataSample().set_gt_label(label)
        if in_view_field:
            sample.set_pred_score(scores[0])
            sample.set_field(scores, 'view_scores')
        else:
            sample.set_pred_score(scores)
        out.append(sample)
    return out


@pytest.mark.parametrize('in_view_field', [False, True])
@pytest.mark.parametrize('as_logits', [True, False])
def test_hand_built_scores(as_logits, in_view_field):
    init_default_scope('mmaction')  # where the metric is registered
    evaluator = Evaluator(
        dict(type='ClipVideoAccuracy', topk=(1, 2, 3), softmax=as_logits))
    evaluator.process(samples(as_logits, in_view_field))
    metrics = evaluator.evaluate(len(VIEWS))
    assert list(metrics) == list(
        EXPECTED)  # video-level first: save_best='auto'
    for key, value in EXPECTED.items():
        assert metrics[key] == pytest.approx(value), key


def test_aggregated_scores_are_refused_with_a_hint():
    metric = ClipVideoAccuracy()
    sample = ActionDataSample().set_gt_label(1).set_pred_score(torch.rand(5))
    with pytest.raises(ValueError, match='average_clips=None'):
        metric.process(None, [sample.to_dict()])


@pytest.mark.parametrize('kwargs, name', [(dict(topk=(0, 5)), 'topk'),
                                          (dict(topk=()), 'topk'),
                                          (dict(topk=(1.5, )), 'topk'),
                                          (dict(softmax=1), 'softmax')])
def test_invalid_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ClipVideoAccuracy(**kwargs)


class TinyBackbone(nn.Module):
    """(N, 3, T, H, W) -> (N, 8, T, H, W): enough to give every view its own
    scores."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(3, 8, 1)

    def init_weights(self):
        pass

    def forward(self, x):
        return self.conv(x)


def recognizer(average_clips, head='I3DHead'):
    return MODELS.build(
        dict(
            type='Recognizer3D',
            backbone=dict(type=TinyBackbone),
            cls_head=dict(
                type=head,
                num_classes=4,
                in_channels=8,
                average_clips=average_clips),
            data_preprocessor=dict(
                type='ActionDataPreprocessor', format_shape='NCTHW')))


def _videos_batch(tmp_path, num_videos: int, seed: int = 0, fps: float = 15.0):
    """The synthetic test pipeline's output for ``num_videos`` videos whose
    labels are 0, 1, ..."""
    init_default_scope('mmaction')
    pipeline = build_pipeline(dataset_config('synthetic_videos').test_pipeline)
    batch = []
    for label in range(num_videos):
        path = str(tmp_path / f'{label}.mp4')
        write_mp4(
            path,
            render_video(label % 2, 70, 64, 96,
                         np.random.default_rng(label + seed)), fps)
        batch.append(pipeline(video_results(path, label=label)))
    return batch


def test_recognizer_per_view_scores_give_both_levels(tmp_path):
    batch = _videos_batch(tmp_path, 2)
    per_view = recognizer(None).eval()  # eval: no dropout, as in the test loop
    averaged = recognizer('prob').eval()
    averaged.load_state_dict(per_view.state_dict())
    with torch.no_grad():
        views = [
            s.pred_score for s in per_view.test_step(pseudo_collate(batch))
        ]
        probs = [
            s.pred_score for s in averaged.test_step(pseudo_collate(batch))
        ]
    assert [tuple(v.shape) for v in views] == [(10, 4), (10, 4)]
    for view_scores, prob in zip(
            views, probs):  # our video level = MMAction2's 'prob'
        torch.testing.assert_close(view_scores.softmax(-1).mean(0), prob)

    metric = ClipVideoAccuracy(topk=(1, 2))
    metric.process(
        None, [s.to_dict() for s in per_view.test_step(pseudo_collate(batch))])
    result = metric.compute_metrics(metric.results)
    labels = torch.tensor([0, 1])
    video_pred = torch.stack([p.argmax() for p in probs])
    clip_pred = torch.stack([v.argmax(-1) for v in views])  # (2, 10)
    assert result['video_top1'] == pytest.approx(
        (video_pred == labels).float().mean())
    assert result['clip_top1'] == pytest.approx(
        (clip_pred == labels[:, None]).float().mean())


def test_video_level_head_gives_the_same_accuracy(tmp_path):
    """VideoLevelI3DHead (pred_score per video, views in view_scores) and
    MMAction2's I3DHead with average_clips=None give the same metrics."""
    batch = _videos_batch(tmp_path, 3, seed=5, fps=12.0)
    per_view = recognizer(None).eval()
    video_level = recognizer('prob', 'VideoLevelI3DHead').eval()
    video_level.load_state_dict(per_view.state_dict())
    results = []
    for model in (per_view, video_level):
        metric = ClipVideoAccuracy(topk=(1, 2))
        with torch.no_grad():
            outputs = model.test_step(pseudo_collate(batch))
        metric.process(None, [s.to_dict() for s in outputs])
        results.append(metric.compute_metrics(metric.results))
    assert results[0] == results[1]
