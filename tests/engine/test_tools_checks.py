"""Bad config values make tools/train.py and tools/test.py fail before any
training, with a message that names the key; the config's scope; CPU / SLURM
launch helpers."""
import os.path as osp
import subprocess

import pytest
import torch
from mmengine.config import Config

from nl_plugin.engine import (ConfigError, check_devices, config_errors,
                              config_scope, slurm_env)
from project_paths import ROOT
from tiny_videos import make_tiny_synthetic
from tool_loader import load_tool

DEMO = osp.join(ROOT, 'configs', 'demo',
                'c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')


def _tool(name: str):
    return load_tool(f'{name}.py')


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    return make_tiny_synthetic(str(tmp_path_factory.mktemp('tiny_videos')))


@pytest.fixture
def demo_env(tiny_root, monkeypatch):
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT', tiny_root)
    return tiny_root


def _fails_before_training(tool: str, argv, work_dir) -> str:
    """Runs a tool's main() in-process; returns its exit message."""
    with pytest.raises(SystemExit) as exit_info:
        _tool(tool).main(argv + ['--work-dir', str(work_dir)])
    assert not osp.exists(
        work_dir)  # the Runner (which creates it) was never built
    return str(exit_info.value.code)


@pytest.mark.parametrize('options,expected', [
    (['model.backbone.type=NLResNet3D'
      ], "model.backbone.type: unknown type 'NLResNet3D' in scope 'mmaction' "
     "(did you mean 'NLResNet3d'"),
    (['train_dataloader.dataset.pipeline.1.type=RandomWindowSampler'
      ], 'train_dataloader.dataset.pipeline[1].type: unknown type '
     "'RandomWindowSampler'"),
    (['val_evaluator.type=ClipVideoAcc'
      ], "val_evaluator.type: unknown type 'ClipVideoAcc'"),
    (['optim_wrapper.optimizer.type=SDG'
      ], "optim_wrapper.optimizer.type: unknown type 'SDG'"),
    (['load_from=/no/such/model.pth'
      ], "load_from: checkpoint file '/no/such/model.pth' does not exist"),
    (['model.backbone.pretrained=/no/such/resnet50.pth'],
     "model.backbone.pretrained: checkpoint file '/no/such/resnet50.pth' does "
     'not exist'),
    (['model.backbone.pretrained=torchvision://resnet50'],
     "model.backbone.pretrained: 'torchvision://resnet50' would be downloaded"
     ),
])
def test_train_rejects_bad_values_naming_the_key(options, expected, demo_env,
                                                 tmp_path):
    message = _fails_before_training('train',
                                     [DEMO, '--cfg-options', *options],
                                     tmp_path / 'work')
    assert expected in message


def test_train_rejects_missing_data_root(monkeypatch, tmp_path):
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT', str(tmp_path / 'nowhere'))
    message = _fails_before_training('train', [DEMO], tmp_path / 'work')
    missing = str(tmp_path / 'nowhere' / 'synthetic_train_list_videos.txt')
    assert (f"train_dataloader.dataset.ann_file: file '{missing}' does not "
            'exist') in message
    # every problem at once
    assert 'val_dataloader.dataset.ann_file' in message


def test_train_rejects_missing_resume_checkpoint(demo_env, tmp_path):
    message = _fails_before_training('train',
                                     [DEMO, '--resume', '/no/ckpt.pth'],
                                     tmp_path / 'work')
    assert "--resume: checkpoint file '/no/ckpt.pth' does not exist" in message


@pytest.mark.skipif(
    torch.cuda.is_available(), reason='checks the CPU-only message')
def test_amp_without_gpu_is_refused(demo_env, tmp_path):
    message = _fails_before_training('train', [DEMO, '--amp'],
                                     tmp_path / 'work')
    assert '--amp' in message


def test_test_tool_rejects_missing_checkpoint(demo_env, tmp_path):
    message = _fails_before_training('test', [DEMO, '/no/such/iter_9.pth'],
                                     tmp_path / 'work')
    assert ("load_from: checkpoint file '/no/such/iter_9.pth' does not "
            'exist') in message


def test_good_demo_config_has_no_error(demo_env):
    cfg = Config.fromfile(DEMO)
    assert config_errors(cfg, 'train') == []
    assert config_errors(cfg, 'test') == []


def test_dist_train_refuses_more_processes_than_devices(tmp_path):
    result = subprocess.run(
        ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), DEMO, '999'],
        capture_output=True,
        text=True,
        timeout=60)
    assert result.returncode == 2
    assert 'GPUS: 999 processes per node requested' in result.stderr


def test_check_devices_names_gpus():
    with pytest.raises(ConfigError, match='GPUS: 999 processes per node'):
        check_devices('pytorch', {
            'LOCAL_WORLD_SIZE': '999',
            'WORLD_SIZE': '999'
        })
    check_devices('pytorch', {'LOCAL_WORLD_SIZE': '1', 'WORLD_SIZE': '4'})
    check_devices('none', {'LOCAL_WORLD_SIZE': '999'})
    with pytest.raises(ConfigError, match='--launcher'):
        check_devices('mpi', {})


def test_slurm_env_gives_torchrun_variables():
    env = slurm_env({
        'SLURM_PROCID': '5',
        'SLURM_NTASKS': '8',
        'SLURM_LOCALID': '1',
        'SLURM_NTASKS_PER_NODE': '4',
        'SLURM_NODELIST': 'node[01-02]',
        'MASTER_ADDR': 'node01',
        'PORT': '29611'
    })
    assert env == {
        'RANK': '5',
        'WORLD_SIZE': '8',
        'LOCAL_RANK': '1',
        'LOCAL_WORLD_SIZE': '4',
        'MASTER_ADDR': 'node01',
        'MASTER_PORT': '29611'
    }


@pytest.mark.parametrize('scope', ['mmaction', 'mmdet'])
def test_config_scope_is_the_configs_own(scope):
    assert config_scope(Config(dict(default_scope=scope))) == scope


@pytest.mark.parametrize('cfg', [
    dict(model=dict(type='Recognizer3D')),
    dict(default_scope='mmengine', model=dict(type='MaskRCNN'))
])
def test_a_config_without_a_framework_scope_is_refused(cfg):
    """One scope rule: the scope comes from the config, never guessed."""
    with pytest.raises(ConfigError, match='default_scope: must be one of'):
        config_scope(Config(cfg))


def test_detection_config_scope_and_types(tmp_path):
    """A detection config written from MMDetection bases is checked in its
    scope."""
    path = tmp_path / 'det.py'
    path.write_text("_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py']\n"
                    "default_scope = 'mmdet'\n")
    cfg = Config.fromfile(str(path))
    assert config_scope(cfg) == 'mmdet'
    from nl_plugin.engine.type_check import unknown_types
    assert unknown_types(cfg, 'mmdet',
                         ['model']) == []  # incl. nms=dict(type='nms')
    cfg.model.roi_head.bbox_head.type = 'Shared2FCBBoxHeed'
    errors = unknown_types(cfg, 'mmdet', ['model'])
    assert len(errors) == 1 and errors[0].startswith(
        "model.roi_head.bbox_head.type: unknown type 'Shared2FCBBoxHeed' in "
        'scope '
        "'mmdet' (did you mean 'Shared2FCBBoxHead'")


DETECTION = osp.join(ROOT, 'configs', 'detection',
                     'mask-rcnn_r50-nl1_fpn_synthetic.py')


@pytest.mark.skipif(
    not osp.isfile(DETECTION), reason='detection configs not there')
def test_train_tool_checks_detection_configs_in_their_scope(tmp_path):
    message = _fails_before_training('train', [
        DETECTION, '--cfg-options',
        'train_dataloader.dataset.data_root=/no/coco',
        'model.roi_head.mask_head.type=FCNMaskHeed'
    ], tmp_path / 'work')
    assert ('model.roi_head.mask_head.type: unknown type '
            "'FCNMaskHeed' in scope 'mmdet'") in message
    assert ("train_dataloader.dataset.data_root: directory '/no/coco' does "
            'not exist') in message
    assert message.count(
        'unknown type') == 1  # every other type is known in mmdet
