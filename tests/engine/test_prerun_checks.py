"""What the pre-run check finds before the Runner is built, each named by
its config key: constructor arguments (the model and the optimizer built on
the meta device), misspelt --cfg-options keys, config syntax errors (also in
a _base_), bad annotation lines."""
import os.path as osp

import pytest
from mmengine.config import Config

from nl_plugin.engine import ConfigError, config_errors, load_config
from nl_plugin.engine.build_errors import locate
from project_paths import ROOT
from tool_loader import load_tool

NL_DEMO = osp.join(ROOT, 'configs', 'demo',
                   'nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')


def _train_exit(argv, work_dir) -> str:
    """tools/train.py main() in-process; its exit message. The Runner (which
    creates the work dir) must not have been built."""
    with pytest.raises(SystemExit) as exit_info:
        load_tool('train.py').main(argv + ['--work-dir', str(work_dir)])
    assert not osp.exists(work_dir)
    return str(exit_info.value.code)


@pytest.mark.parametrize('option,expected', [
    ('model.backbone.non_local_cfg.mode=softmax',
     'model.backbone.non_local_cfg.mode: mode must be one of'),
    ('model.backbone.non_local=6-block',
     "model.backbone.non_local: non_local: unknown layout '6-block'"),
    ('model.backbone.non_local_cfg.neighbourhood=spatial',
     'model.backbone.non_local_cfg.neighbourhood: neighbourhood must be'),
    ('model.backbone.depth=20', 'model.backbone: invalid depth 20'),
    ('model.backbone.num_stages=0', 'model.backbone: AssertionError at '),
    ('optim_wrapper.optimizer.lr=-0.1',
     'optim_wrapper.optimizer.lr: Invalid learning rate: -0.1'),
    ('optim_wrapper.optimizer.momentum=-1',
     'optim_wrapper.optimizer.momentum: Invalid momentum value: -1'),
])
def test_constructor_errors_fail_before_the_runner_named_by_key(
        option, expected, demo_env, tmp_path):
    message = _train_exit([NL_DEMO, '--cfg-options', option],
                          tmp_path / 'work')
    assert expected in message


def test_good_config_builds_on_the_meta_device_without_error(demo_env):
    cfg = Config.fromfile(NL_DEMO)
    assert config_errors(cfg, 'train') == []


def test_locate_follows_the_constructors_then_the_argument():
    model = dict(
        type='Recognizer3D',
        backbone=dict(type='NLResNet3d', non_local_cfg=dict(mode='x')),
        cls_head=dict(type='I3DHead', mode='y'))
    assert locate(model, 'model', ['Recognizer3D', 'NLResNet3d'],
                  'mode must be ...') == 'model.backbone.non_local_cfg.mode'
    assert locate(model, 'model', ['Recognizer3D', 'I3DHead'],
                  'mode must be ...') == 'model.cls_head.mode'
    assert locate(model, 'model', ['Recognizer3D', 'NonLocalBlock3d'],
                  'invalid thing') == 'model'


@pytest.mark.parametrize('option,expected', [
    ('trian_cfg.max_iters=2',
     "--cfg-options trian_cfg.max_iters: unknown key 'trian_cfg' (did you "
     "mean 'train_cfg'?)"),
    ('default_hooks.checkpoint.intervall=2',
     "unknown key 'default_hooks.checkpoint.intervall' (did you mean "
     "'default_hooks.checkpoint.interval'?)"),
    ('model.backbone.non_local_cfg.mdoe=dot_product',
     "(did you mean 'model.backbone.non_local_cfg.mode'?)"),
    ('param_scheduler.3.gamma=0.5',
     "param_scheduler is a list of 1; '3' is not one of its indices"),
    ('model.backbone.pretrained.path=/x', 'model.backbone.pretrained is '),
])
def test_misspelt_cfg_options_keys_are_rejected_with_the_nearest_key(
        option, expected, demo_env, tmp_path):
    message = _train_exit([NL_DEMO, '--cfg-options', option],
                          tmp_path / 'work')
    assert expected in message
    assert '--new-cfg-options' in message


@pytest.mark.parametrize(
    'option',
    [
        'train_cfg.max_iters=2',
        'default_hooks.checkpoint.interval=2',
        # arguments the config leaves at their defaults
        'default_hooks.checkpoint.save_last=False',
        'train_dataloader.pin_memory=True',
        'model.backbone.with_cp=True',
        'model.backbone.non_local_cfg.use_scale=True',
        'randomness.deterministic=True',  # a Runner argument
        'param_scheduler.0.milestones=[5]',
    ])
def test_existing_keys_and_constructor_arguments_are_accepted(
        option, demo_env):
    key, value = option.split('=')
    load_config(NL_DEMO, {key: value})


def test_new_keys_on_purpose_go_through_new_cfg_options(demo_env):
    cfg = load_config(
        NL_DEMO,
        cfg_options={'train_cfg.max_iters': 2},
        new_cfg_options={'my_notes.run': 'first'})
    assert cfg.my_notes.run == 'first' and cfg.train_cfg.max_iters == 2
    with pytest.raises(ConfigError, match='my_notes'):
        load_config(NL_DEMO, cfg_options={'my_notes.run': 'first'})


def test_syntax_error_in_a_config_names_file_and_line(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text("_base_ = ['mmaction::_base_/default_runtime.py']\n"
                    'model = dict(type=\n'
                    'x = 1\n')
    with pytest.raises(ConfigError) as error:
        load_config(str(path))
    assert f'{path}:2: syntax error' in str(error.value)
    assert 'model = dict(type=' in str(error.value)


def test_syntax_error_in_a_base_names_the_base(tmp_path):
    (tmp_path / 'base').mkdir()
    base = tmp_path / 'base' / 'runtime.py'
    base.write_text('a = 1\nb = [1, 2\n')
    child = tmp_path / 'child.py'
    child.write_text("_base_ = ['./base/runtime.py']\nc = 3\n")
    with pytest.raises(ConfigError) as error:
        load_config(str(child))
    assert f'{base}:2: syntax error' in str(error.value)


def test_other_config_errors_name_the_file(tmp_path):
    path = tmp_path / 'cfg.py'
    path.write_text('x = undefined_name + 1\n')
    with pytest.raises(ConfigError, match=f"config: '{path}' could not"):
        load_config(str(path))
