"""Synthetic COCO set, CPU training of Mask R-CNN + 1 NL with MMEngine's
Runner,
and COCO evaluation with mmdet's CocoMetric (pycocotools)."""
import filecmp
import math
import os

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from pycocotools.coco import COCO

from nl_plugin.det.datasets import synthetic_coco as synthetic
from project_paths import ROOT

CONFIG = os.path.join(ROOT, 'configs', 'detection',
                      'mask-rcnn_r50-nl1_fpn_synthetic.py')


def test_synthetic_coco_is_deterministic_and_valid(tmp_path):
    first = synthetic.make_synthetic_coco(str(tmp_path / 'a'), 3, 2, seed=7)
    synthetic.make_synthetic_coco(str(tmp_path / 'b'), 3, 2, seed=7)
    other = synthetic.make_synthetic_coco(str(tmp_path / 'c'), 3, 2, seed=8)
    compare = filecmp.dircmp(tmp_path / 'a', tmp_path / 'b')
    assert not compare.diff_files and not compare.left_only
    for split in ('train', 'val'):
        names = sorted(os.listdir(tmp_path / 'a' / split))
        match, mismatch, errors = filecmp.cmpfiles(
            tmp_path / 'a' / split,
            tmp_path / 'b' / split,
            names,
            shallow=False)
        assert len(match) == len(names) and not mismatch and not errors
    assert not filecmp.cmp(first['train'], other['train'], shallow=False)

    coco = COCO(first['train'])
    assert len(coco.imgs) == 3 and len(coco.anns) >= 3
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())
            ] == list(synthetic.CLASSES)
    for ann in coco.anns.values():
        mask = coco.annToMask(
            ann)  # rasterised from the polygon by pycocotools
        assert abs(mask.sum() - ann['area']) <= 0.1 * ann['area'] + 20
        ys, xs = np.nonzero(mask)
        x, y, w, h = ann['bbox']
        assert x - 1 <= xs.min() and xs.max() <= x + w + 1
        assert y - 1 <= ys.min() and ys.max() <= y + h + 1


def test_synthetic_coco_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='image_size'):
        synthetic.make_synthetic_coco(str(tmp_path), image_size=(16, 16))
    with pytest.raises(ValueError, match='num_train'):
        synthetic.make_synthetic_coco(str(tmp_path), num_train=0)


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """A Runner that has trained 2 epochs x 4 iterations (batch 2) on CPU."""
    data = tmp_path_factory.mktemp('synthetic_coco')
    synthetic.make_synthetic_coco(str(data), num_train=8, num_val=4, seed=0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('NL_PLUGIN_SYNTHETIC_COCO', str(data))
        cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path_factory.mktemp('work_dir'))
    cfg.randomness = dict(seed=0)
    cfg.train_cfg.max_epochs = 2
    cfg.train_cfg.val_begin = 3  # validation is the next test's job
    cfg.default_hooks.checkpoint = None  # no 350 MB checkpoint per epoch
    # an untrained detector's scores may all fall below 0.05, which would leave
    # CocoMetric nothing to evaluate
    cfg.model.test_cfg.rcnn.score_thr = 0.0
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner


def test_training_reduces_the_loss(run):
    runner = run
    losses = runner.message_hub.get_scalar('train/loss').data[0]
    assert len(losses) == 8
    assert all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-3:]) < np.mean(losses[:3]), losses
    nl_block = runner.model.backbone.layer3[4].non_local_block
    # the NL block learns: its output BN has left the identity init
    assert nl_block.conv_out.norm.weight.abs().max() > 0


def test_coco_metric_reports_bbox_and_segm_ap(run):
    runner = run
    metrics = runner.val_loop.run()
    for task in ('bbox', 'segm'):
        for suffix in ('mAP', 'mAP_50', 'mAP_75', 'mAP_s', 'mAP_m', 'mAP_l'):
            value = metrics[f'coco/{task}_{suffix}']
            assert value == -1 or 0 <= value <= 1, (task, suffix, value)
    assert runner.val_evaluator.metrics[0].__class__.__name__ == 'CocoMetric'
