"""Checkpoints that do not fit the model are refused by tools/test.py (unless
--allow-partial) and reported up front by tools/train.py's load_from;
unreadable files are named with what is wrong with them."""
import glob
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from nl_plugin.engine import (CheckpointError, build_runner,
                              check_checkpoint_fits, checkpoint_fit,
                              config_errors)
from project_paths import ROOT
from tiny_videos import make_tiny_synthetic
from tool_loader import load_tool

DEMO = osp.join(ROOT, 'configs', 'demo')
NL_DEMO = osp.join(DEMO,
                   'nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')
C2D_DEMO = osp.join(DEMO, 'c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')
QUICK = [
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False'
]


def _model(config):
    init_default_scope('mmaction')
    return MODELS.build(Config.fromfile(config).model)


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    """Data and checkpoints: the C2D demo model's (no NL weights), the NL
    demo model's own, an unrelated nn.Linear's, an empty file."""
    root = tmp_path_factory.mktemp('checkpoints')
    paths = dict(
        data=make_tiny_synthetic(str(root / 'data')),
        c2d=str(root / 'c2d.pth'),
        nl=str(root / 'nl.pth'),
        linear=str(root / 'linear.pth'),
        empty=str(root / 'empty.pth'))
    torch.save({'state_dict': _model(C2D_DEMO).state_dict()}, paths['c2d'])
    torch.save({'state_dict': _model(NL_DEMO).state_dict()}, paths['nl'])
    torch.save(nn.Linear(4, 2).state_dict(), paths['linear'])
    open(paths['empty'], 'wb').close()
    return paths


@pytest.fixture
def data(files, monkeypatch):
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT', files['data'])


def _test_exit(argv, work_dir) -> str:
    with pytest.raises(SystemExit) as exit_info:
        load_tool('test.py').main(argv + ['--work-dir', str(work_dir)])
    assert not osp.exists(work_dir)  # refused before the Runner
    return str(exit_info.value.code)


def test_c2d_checkpoint_into_the_nl_config_is_refused(files, data, tmp_path):
    message = _test_exit([NL_DEMO, files['c2d']], tmp_path / 'work')
    assert (f"load_from: checkpoint '{files['c2d']}' does not fit the "
            'model') in message
    assert 'keys missing from the checkpoint: backbone.layer2.0.' \
        'non_local_block.* (' in message
    assert 'backbone.layer3.0.non_local_block.* (' in message
    assert 'unexpected' not in message and '--allow-partial' in message


def test_unrelated_state_dict_is_refused(files, data, tmp_path):
    message = _test_exit([NL_DEMO, files['linear']], tmp_path / 'work')
    assert ('2 unexpected keys (in the checkpoint, not in the model): '
            'weight, bias') in message
    # whole modules missing are listed once
    assert 'missing from the checkpoint: backbone.* (' in message
    assert 'cls_head.* (2 keys)' in message


def test_empty_checkpoint_is_named_with_the_reason(files, data, tmp_path):
    message = _test_exit([NL_DEMO, files['empty']], tmp_path / 'work')
    assert (f"load_from: checkpoint '{files['empty']}' is unusable: the "
            'file is empty (0 bytes)') in message


def test_truncated_checkpoint_is_named_with_the_reason(files, tmp_path):
    truncated = tmp_path / 'truncated.pth'
    data = open(files['nl'], 'rb').read()
    truncated.write_bytes(data[:len(data) // 2])
    with pytest.raises(
            CheckpointError,
            match=f"checkpoint: checkpoint '{truncated}' is "
            'unusable: truncated or not a PyTorch checkpoint'):
        check_checkpoint_fits(nn.Linear(4, 2), str(truncated))


def test_fitting_checkpoint_passes_and_partial_one_runs_when_allowed(
        files, data, tmp_path, capsys):
    cfg = Config.fromfile(NL_DEMO)
    cfg.load_from = files['nl']
    assert config_errors(cfg, 'test') == []
    metrics = load_tool('test.py').main([
        NL_DEMO, files['c2d'], '--allow-partial', '--work-dir',
        str(tmp_path / 'work'), '--cfg-options', *QUICK
    ])
    assert 0 <= metrics['acc/video_top1'] <= 1


def test_checkpoint_fit_lists_shape_mismatches():
    fit = checkpoint_fit(nn.Linear(4, 2), nn.Linear(3, 2).state_dict())
    assert not fit.ok and fit.missing == [] and fit.unexpected == []
    assert fit.mismatched == [
        'weight (2, 3) in the checkpoint, (2, 4) in the model'
    ]
    assert checkpoint_fit(nn.Linear(4, 2), nn.Linear(4, 2).state_dict()).ok


def test_training_load_from_reports_the_fit_up_front(files, data, tmp_path,
                                                     capfd):
    train = load_tool('train.py')
    work_dir = tmp_path / 'train'
    args = train.parse_args([
        NL_DEMO, '--work-dir',
        str(work_dir), '--cfg-options', f"load_from={files['c2d']}"
    ])
    build_runner(args, 'train', lambda cfg: train.configure(cfg, args),
                 train.report_load_from)
    log = open(glob.glob(str(work_dir / '*' / '*.log'))[0]).read()
    for text in (log, capfd.readouterr().out):
        assert f"load_from {files['c2d']}: " in text
        assert 'keys missing from the checkpoint: backbone.layer2.0.' \
            'non_local_block.' in text
