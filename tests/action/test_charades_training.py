"""End to end from a fresh checkout: the synthetic Charades-format set written
by its tool, a tiny NL I3D trained by tools/train.py (the loss falls) and
tested by tools/test.py, whose mAP matches one recomputed from the dumped
predictions. The tools run in this process (their ``main(argv)``), which
spares two interpreter start-ups."""
import glob
import json
import os.path as osp
import pickle

import numpy as np
import pytest
import torch

from project_paths import CONFIGS
from reference_ap import reference_average_precision
from tool_loader import load_tool

CONFIG = osp.join(
    CONFIGS, 'recognition', 'charades',
    'nl-i3d_r50-tiny_1xb4-16x2x1-40iter_synthetic-charades-rgb.py')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    """Tiny convs run faster on one thread than on two busy cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    data = str(tmp_path_factory.mktemp('synthetic_charades'))
    work_dir = str(tmp_path_factory.mktemp('work'))
    load_tool('data/make_synthetic_charades.py').main(
        [data, '--num-train', '16', '--num-test', '8'])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('CHARADES_ROOT', data)
        load_tool('train.py').main([
            CONFIG, '--work-dir', work_dir, '--cfg-options',
            'default_hooks.logger.interval=1', 'log_processor.window_size=1'
        ])  # the loss of every iteration, not a running mean
    return data, work_dir


def _train_losses(work_dir):
    (scalars, ) = glob.glob(
        osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    return [r['loss'] for r in records if 'loss' in r]


def test_training_reduces_the_loss(trained):
    _, work_dir = trained
    losses = _train_losses(work_dir)
    assert len(losses) == 40 and all(np.isfinite(losses))
    assert np.mean(losses[-10:]) < np.mean(losses[:10]), losses


def test_tested_map_matches_the_dumped_predictions(trained, tmp_path,
                                                   monkeypatch):
    data, work_dir = trained
    monkeypatch.setenv('CHARADES_ROOT', data)
    metrics_file, dump = tmp_path / 'metrics.json', tmp_path / 'preds.pkl'
    load_tool('test.py').main([
        CONFIG,
        osp.join(work_dir, 'iter_40.pth'), '--work-dir',
        str(tmp_path), '--metrics-out',
        str(metrics_file), '--dump',
        str(dump)
    ])
    metrics = json.loads(metrics_file.read_text())
    with open(dump, 'rb') as f:
        samples = pickle.load(f)
    assert len(samples) == 8
    scores = np.stack([s['pred_score'].numpy() for s in samples])  # (8, 4)
    labels = np.stack([s['gt_label'].numpy() for s in samples])  # (8, 4)
    assert ((scores >= 0) & (scores <= 1)).all()  # pooled sigmoid scores
    aps = [
        reference_average_precision(scores[:, c], labels[:, c])
        for c in range(4)
    ]
    has_positive = [not np.isnan(ap) for ap in aps]
    assert metrics['charades/num_classes'] == sum(has_positive)
    assert metrics['charades/mAP'] == pytest.approx(np.nanmean(aps))
    for c, ap in enumerate(aps):
        if has_positive[c]:
            assert metrics[f'charades/AP_c{c:03d}'] == pytest.approx(ap)
