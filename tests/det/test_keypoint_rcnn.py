"""Keypoint R-CNN (paper Table 6): heatmap targets and decoding by hand,
keypoint resize / flip against mmdet's boxes, the keypoint dataset, the
configs, CPU training on the synthetic keypoint set, and OKS keypoint AP by
pycocotools."""
import copy
import glob
import json
import math
import os

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmengine.structures import InstanceData

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import CocoKeypointMetric, KeypointRoIHead
from nl_plugin.det.datasets import synthetic_coco as synthetic
from nl_plugin.det.keypoint_rcnn import (CocoKeypointDataset,
                                         heatmaps_to_keypoints,
                                         keypoint_flip_indices,
                                         keypoint_heatmap_targets)
from project_paths import ROOT
from tool_loader import load_tool

CONFIG_DIR = os.path.join(ROOT, 'configs', 'detection')
SYNTHETIC_CONFIG = os.path.join(CONFIG_DIR,
                                'keypoint-rcnn_r50-nl-head_fpn_synthetic.py')
COCO_CONFIGS = sorted(
    os.path.basename(p)
    for p in glob.glob(os.path.join(CONFIG_DIR, 'keypoint-rcnn_*_coco.py')))
FIGURE_SIGMAS = [0.05] * 5


def build_model(cfg):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(cfg.model)


# --- targets and decoding
# -------------------------------------------------------------


def test_heatmap_targets_by_hand():
    # RoI 56 px wide and high: one pixel per cell of the 56x56 heatmap
    rois = torch.tensor([[10., 20., 66., 76.], [0., 0., 112., 56.]])
    keypoints = torch.tensor([[[30.5, 40.2, 2], [66., 76., 2], [9.9, 30., 2],
                               [30., 40., 0]],
                              [[56., 28., 1], [0., 0., 2], [112.1, 10., 2],
                               [111.9, 55.9, 2]]])
    targets = keypoint_heatmap_targets(rois, keypoints, 56)
    assert targets.tolist() == [
        [
            20 * 56 + 20,  # floor(20.5), floor(20.2)
            55 * 56 + 55,  # on the bottom-right corner: the last cell
            -1,  # left of the RoI
            -1
        ],  # unlabelled
        [
            28 * 56 + 28,  # x: floor(56 / 112 * 56); v=1 (hidden) still counts
            0,
            -1,  # right of the RoI
            55 * 56 + 55
        ]
    ]


def test_decoding_returns_the_cell_centre_and_inverts_the_targets():
    rois = torch.tensor([[10., 20., 66., 76.], [0., 0., 112., 56.]])
    index = torch.tensor([[20 * 56 + 20, 3], [28 * 56 + 28, 0]])  # (R, K)
    logits = torch.full((2, 2, 56 * 56), -10.).scatter(2, index[..., None],
                                                       10.)
    keypoints, scores = heatmaps_to_keypoints(logits.view(2, 2, 56, 56), rois)
    torch.testing.assert_close(
        keypoints,
        torch.tensor([[[30.5, 40.5], [13.5, 20.5]], [[57., 28.5], [1., 0.5]]]))
    assert (scores > 0.99).all()
    visible = torch.cat([keypoints, torch.full((2, 2, 1), 2.)], dim=-1)
    assert torch.equal(keypoint_heatmap_targets(rois, visible, 56), index)


# --- data
# -----------------------------------------------------------------------------


def test_keypoints_follow_mmdet_resize_and_flip_with_left_right_swap():
    names = ('nose', 'left_eye', 'right_eye')
    results = dict(
        img=np.zeros((40, 100, 3), np.uint8),
        img_shape=(40, 100),
        ori_shape=(40, 100),
        img_id=0,
        img_path='x.png',
        keypoint_names=names,
        keypoint_flip_indices=keypoint_flip_indices(names),
        instances=[
            dict(
                bbox=[10.5, 20.5, 30.5, 30.5],
                bbox_label=0,
                ignore_flag=0,
                keypoints=[10, 20, 2, 30, 5, 1, 0, 0, 0])
        ])
    pipeline = Compose([
        dict(type='mmdet.LoadAnnotations', with_bbox=True),
        dict(type='LoadKeypoints'),
        dict(type='mmdet.Resize', scale=(200, 20),
             keep_ratio=False),  # x2, x0.5
        dict(type='ResizeKeypoints'),
        dict(type='mmdet.RandomFlip', prob=1.0),
        dict(type='FlipKeypoints'),
        dict(type='PackDetKeypointInputs')
    ])
    packed = pipeline(results)
    gt = packed['data_samples'].gt_instances
    # pixel (10, 20) -> centre (10.5, 20.5) -> resized (21, 10.25) -> flipped x
    #     200 - 21;
    # the left eye (30.5, 5.5) -> (61, 2.75) -> (139, 2.75) becomes the right
    # eye
    torch.testing.assert_close(
        gt.keypoints,
        torch.tensor([[[179., 10.25, 2.], [0., 0., 0.], [139., 2.75, 1.]]]))
    # mmdet moved the box with corners (10.5, 20.5), (30.5, 30.5) to the same
    # x's
    torch.testing.assert_close(gt.bboxes.tensor,
                               torch.tensor([[139., 10.25, 179., 15.25]]))


def test_flip_indices_swap_left_and_right():
    assert keypoint_flip_indices(
        ['nose', 'left_eye', 'right_eye', 'right_ear',
         'left_ear']) == (0, 2, 1, 4, 3)
    with pytest.raises(ValueError, match="'left_knee' has no mirror"):
        keypoint_flip_indices(['left_knee', 'nose'])


@pytest.fixture(scope='module')
def keypoint_set(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic_keypoints')
    files = synthetic.make_synthetic_coco(
        str(root), num_train=2, num_val=2, seed=0, keypoints=True)
    return str(root), files


def _dataset(root, ann_file, **kwargs):
    return CocoKeypointDataset(
        data_root=root,
        ann_file=ann_file,
        data_prefix=dict(img='train/'),
        metainfo=kwargs.pop('metainfo', dict(classes=('figure', ))),
        pipeline=[],
        **kwargs)


def test_dataset_keeps_figures_with_their_keypoints(keypoint_set):
    root, files = keypoint_set
    dataset = _dataset(root, files['train'])
    assert dataset.metainfo['keypoint_names'] == synthetic.FIGURE_KEYPOINTS
    assert dataset.metainfo['keypoint_flip_indices'] == (0, 2, 1, 4, 3)
    anns = json.load(open(files['train']))['annotations']
    figures = {(a['image_id'], tuple(a['keypoints']))
               for a in anns if a['category_id'] == 1}
    assert len(figures) < len(anns)  # the file also holds rectangles
    loaded = {(info['img_id'], tuple(inst['keypoints']))
              for info in (dataset.get_data_info(i)
                           for i in range(len(dataset)))
              for inst in info['instances']}
    assert loaded == figures
    visibilities = [v for _, kps in figures for v in kps[2::3]]
    assert 0 in visibilities and 2 in visibilities


def test_dataset_errors_name_the_culprit(keypoint_set, tmp_path):
    root, files = keypoint_set
    with pytest.raises(
            ValueError, match=r"classes \('rectangle',\) must be categories"):
        _dataset(root, files['train'], metainfo=dict(classes=('rectangle', )))
    data = json.load(open(files['train']))
    figure = next(a for a in data['annotations'] if a['category_id'] == 1)
    del figure['keypoints']
    broken = tmp_path / 'broken.json'
    broken.write_text(json.dumps(data))
    with pytest.raises(
            ValueError, match=f"annotation {figure['id']} .*needs keypoints"):
        _dataset(root, str(broken))


# --- configs
# --------------------------------------------------------------------------


@pytest.fixture
def imagenet_env(tmp_path, monkeypatch):
    path = tmp_path / 'resnet.pth'
    torch.save(
        {},
        str(path))  # the configs check the file exists; nothing loads it here
    for var in ('NL_PLUGIN_R50_IMAGENET', 'NL_PLUGIN_R101_IMAGENET'):
        monkeypatch.setenv(var, str(path))


def test_config_grid_is_the_papers_table_6():
    assert set(COCO_CONFIGS) == {
        f'keypoint-rcnn_{d}{nl}_fpn_1x_coco.py'
        for d in ('r50', 'r101')
        for nl in ('', '-nl-head', '-nl1-nl-head')
    }


@pytest.mark.parametrize('name', COCO_CONFIGS)
def test_coco_config_builds_a_keypoint_rcnn(name, imagenet_env):
    cfg = Config.fromfile(os.path.join(CONFIG_DIR, name))
    model = build_model(cfg)
    assert isinstance(model.roi_head,
                      KeypointRoIHead) and not model.roi_head.with_mask
    assert model.roi_head.bbox_head.num_classes == 1
    head = model.roi_head.keypoint_head
    assert head.num_keypoints == 17
    assert head(torch.zeros(1, 256, 14, 14)).shape == (1, 17, 56, 56)
    head_blocks = [m for m in head.modules() if isinstance(m, NonLocalBlock2d)]
    backbone_blocks = [
        m for m in model.backbone.modules() if isinstance(m, NonLocalBlock2d)
    ]
    assert len(head_blocks) == (4 if '-nl-head' in name else 0)
    assert len(backbone_blocks) == (1 if '-nl1' in name else 0)
    assert len(model.backbone.layer3) == (23 if 'r101' in name else 6)
    assert cfg.train_dataloader.dataset.type == 'CocoKeypointDataset'
    assert cfg.train_dataloader.dataset.ann_file.endswith(
        'person_keypoints_train2017.json')
    assert [m.type for m in cfg.val_evaluator
            ] == ['CocoKeypointMetric', 'CocoMetric']
    assert cfg.val_evaluator[0].ann_file.endswith(
        'person_keypoints_val2017.json')


# --- the RoI head
# ---------------------------------------------------------------------


def test_roi_head_without_gt_keypoints_says_what_to_load(keypoint_set):
    root, _ = keypoint_set
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('NL_PLUGIN_SYNTHETIC_KEYPOINTS', root)
        cfg = Config.fromfile(SYNTHETIC_CONFIG)
    roi_head = build_model(cfg).roi_head
    x = tuple(torch.randn(1, 256, 24 // 2**i, 32 // 2**i) for i in range(5))
    proposals = InstanceData(
        bboxes=torch.tensor([[10., 10., 40., 50.]]), scores=torch.ones(1))
    sample = DetDataSample(metainfo=dict(img_shape=(96, 128)))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[10., 10., 40., 50.]]),
        labels=torch.zeros(1, dtype=torch.long))
    with pytest.raises(
            ValueError, match='gt_instances.keypoints.*PackDetKeypointInputs'):
        roi_head.loss(x, [proposals], [sample])


def test_tensor_mode_ends_with_the_keypoint_logits_of_the_proposals(
        keypoint_set):
    root, _ = keypoint_set
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('NL_PLUGIN_SYNTHETIC_KEYPOINTS', root)
        cfg = Config.fromfile(SYNTHETIC_CONFIG)
    roi_head = build_model(cfg).roi_head.eval()
    x = tuple(torch.randn(1, 256, 24 // 2**i, 32 // 2**i) for i in range(5))
    boxes = torch.tensor([[10., 10., 40., 50.], [60., 20., 90., 70.]])
    proposals = InstanceData(bboxes=boxes, scores=torch.ones(2))
    with torch.no_grad():
        outputs = roi_head(x, [proposals])
        expected = roi_head.keypoint_head(
            roi_head.keypoint_roi_extractor(
                x[:4], torch.cat([torch.zeros(2, 1), boxes], dim=1)))
    assert outputs[-1].shape == (2, 5, 56, 56
                                 )  # 2 proposals, 5 figure keypoints
    torch.testing.assert_close(outputs[-1], expected)


def test_roi_head_rejects_a_missing_keypoint_head():
    with pytest.raises(ValueError, match='keypoint_head'):
        KeypointRoIHead(
            keypoint_roi_extractor=dict(type='SingleRoIExtractor'),
            keypoint_head=None,
            bbox_head=dict(type='Shared2FCBBoxHead'))


# --- training and evaluation
# ----------------------------------------------------------


@pytest.fixture(scope='module')
def run(keypoint_set, tmp_path_factory):
    """A Runner that has trained 8 iterations (batch 2, the same 2 images) on
    CPU."""
    root, _ = keypoint_set
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('NL_PLUGIN_SYNTHETIC_KEYPOINTS', root)
        cfg = Config.fromfile(SYNTHETIC_CONFIG)
    cfg.work_dir = str(tmp_path_factory.mktemp('work_dir'))
    cfg.randomness = dict(seed=0)
    cfg.train_cfg = dict(
        type='IterBasedTrainLoop', max_iters=8, val_interval=1000)
    cfg.param_scheduler = []  # a constant lr of 0.01
    cfg.default_hooks.checkpoint = None
    # an untrained detector still detects
    cfg.model.test_cfg.rcnn.score_thr = 0.0
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_training_reduces_the_keypoint_loss(run):
    history = run.message_hub
    losses = history.get_scalar('train/loss').data[0]
    keypoint_losses = history.get_scalar('train/loss_keypoint').data[0]
    assert len(losses) == len(keypoint_losses) == 8
    assert all(math.isfinite(v) for v in losses)
    assert keypoint_losses[0] == pytest.approx(
        math.log(56 * 56), abs=0.05)  # uniform
    first, last = np.mean(keypoint_losses[:3]), np.mean(keypoint_losses[-3:])
    assert last < first - 0.1, keypoint_losses
    assert np.mean(losses[-3:]) < np.mean(losses[:3]), losses
    head_blocks = [
        m for m in run.model.roi_head.keypoint_head.modules()
        if isinstance(m, NonLocalBlock2d)
    ]
    assert len(head_blocks) == 4
    assert all(b.conv_out.norm.weight.abs().max() > 0
               for b in head_blocks)  # they learn


def test_validation_reports_keypoint_and_box_ap(run):
    metrics = run.val_loop.run()
    for name in ('AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75',
                 'ARm', 'ARl'):
        value = metrics[f'coco/kp_{name}']
        assert value == -1 or 0 <= value <= 1, (name, value)
    assert 0 <= metrics['coco/bbox_mAP'] <= 1


def test_predicted_keypoints_lie_in_their_boxes_in_the_original_frame(run):
    roi_head = run.model.roi_head
    x = tuple(torch.randn(1, 256, 48 // 2**i, 64 // 2**i) for i in range(5))
    boxes = torch.tensor([[10., 10., 40., 50.], [60., 5., 70.,
                                                 30.]])  # original frame
    results = InstanceData(
        bboxes=boxes.clone(),
        scores=torch.ones(2),
        labels=torch.zeros(2, dtype=torch.long))
    meta = dict(
        scale_factor=(2.0, 0.5),
        img_shape=(48, 256))  # input = original x (2, .5)
    with torch.no_grad():
        [out] = roi_head.predict_keypoints(x, [meta], [results], rescale=True)
    assert out.keypoints.shape == (2, 5,
                                   2) and out.keypoint_scores.shape == (2, 5)
    assert ((out.keypoint_scores > 0) & (out.keypoint_scores <= 1)).all()
    xs, ys = out.keypoints[..., 0], out.keypoints[..., 1]  # (2, 5)
    assert ((xs > boxes[:, :1]) & (xs < boxes[:, 2:3])).all()
    assert ((ys > boxes[:, 1:2]) & (ys < boxes[:, 3:4])).all()
    torch.testing.assert_close(out.bboxes,
                               boxes)  # detections themselves untouched


# --- the metric
# -----------------------------------------------------------------------


def _predictions_from(ann_file, shift=0.0):
    """One data sample per image whose detections are its figures' ground
    truth."""
    data = json.load(open(ann_file))
    samples = []
    for image in data['images']:
        figures = [
            a for a in data['annotations']
            if a['image_id'] == image['id'] and a['category_id'] == 1
        ]
        xy = torch.tensor([a['keypoints'] for a in figures],
                          dtype=torch.float32).view(-1, 5, 3)[..., :2]
        samples.append(
            dict(
                img_id=image['id'],
                pred_instances=dict(
                    labels=torch.zeros(len(figures), dtype=torch.long),
                    scores=torch.ones(len(figures)),
                    keypoints=xy + 0.5 +
                    shift)))  # pixel-centre coordinates, as predicted
    return samples


def _keypoint_ap(ann_file, samples, sigmas=FIGURE_SIGMAS):
    metric = CocoKeypointMetric(ann_file=ann_file, sigmas=sigmas)
    metric.dataset_meta = dict(classes=('figure', ))
    metric.process({}, samples)
    return metric.evaluate(len(samples))


def test_ground_truth_as_prediction_has_keypoint_ap_one(keypoint_set):
    _, files = keypoint_set
    perfect = _keypoint_ap(files['val'], _predictions_from(files['val']))
    assert perfect['coco/kp_AP'] == pytest.approx(1.0)
    assert perfect['coco/kp_AP75'] == pytest.approx(1.0)
    off = _keypoint_ap(files['val'],
                       _predictions_from(files['val'], shift=3.0))
    assert off['coco/kp_AP'] < 0.5


@pytest.mark.parametrize('sigmas, match', [
    ([0.05] * 17, 'sigmas must be 5 positive values'),
    (None, "sigmas must be 5 positive values.*the default is COCO's 17"),
    ([0.05, 0.05, 0.05, 0.05, 0], 'sigmas must be 5 positive'),
])
def test_metric_rejects_sigmas_that_do_not_fit(keypoint_set, sigmas, match):
    _, files = keypoint_set
    with pytest.raises(ValueError, match=match):
        CocoKeypointMetric(ann_file=files['val'], sigmas=sigmas)


def test_metric_rejects_a_file_without_keypoints_and_predictions_without(
        tmp_path, keypoint_set):
    files = synthetic.make_synthetic_coco(
        str(tmp_path), num_train=1, num_val=1)
    with pytest.raises(
            ValueError, match='instances_val.json must have categories'):
        CocoKeypointMetric(ann_file=files['val'])
    _, keypoint_files = keypoint_set
    metric = CocoKeypointMetric(
        ann_file=keypoint_files['val'], sigmas=FIGURE_SIGMAS)
    sample = copy.deepcopy(_predictions_from(keypoint_files['val'])[0])
    del sample['pred_instances']['keypoints']
    with pytest.raises(ValueError, match='KeypointRoIHead'):
        metric.process({}, [sample])


# --- tools
# ----------------------------------------------------------------------------


def test_train_and_test_tools_run_the_synthetic_config(keypoint_set, tmp_path,
                                                       monkeypatch):
    root, _ = keypoint_set
    monkeypatch.setenv('NL_PLUGIN_SYNTHETIC_KEYPOINTS', root)
    train, test = load_tool('train.py'), load_tool('test.py')
    quick = [
        'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1',
        'model.test_cfg.rcnn.score_thr=0.0'
    ]
    train.main([
        SYNTHETIC_CONFIG, '--work-dir',
        str(tmp_path / 'train'), '--cfg-options', *quick
    ])
    checkpoint = tmp_path / 'train' / 'epoch_1.pth'
    assert checkpoint.is_file()
    metrics_file = tmp_path / 'metrics.json'
    test.main([
        SYNTHETIC_CONFIG,
        str(checkpoint), '--work-dir',
        str(tmp_path / 'test'), '--metrics-out',
        str(metrics_file), '--cfg-options', *quick
    ])
    metrics = json.loads(metrics_file.read_text())
    assert {'coco/kp_AP', 'coco/kp_AP50', 'coco/bbox_mAP'} <= set(metrics)
