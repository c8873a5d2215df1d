"""Checkpoint writes that a crash cannot half-finish, deletions only after
the new checkpoint is in place, and --resume errors that name the file and
what is wrong with it."""
import os
import os.path as osp

import pytest
import torch
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub, MMLogger
from mmengine.runner.checkpoint import save_checkpoint

from nl_plugin.engine import (AtomicCheckpointHook, AtomicLocalBackend,
                              CheckpointError, ConfigError, latest_checkpoint)
from project_paths import ROOT
from tool_loader import load_tool

DEMO = osp.join(ROOT, 'configs', 'demo',
                'nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')


class Crash(Exception):
    """Stands for the process dying at that point."""


def test_a_crash_during_the_write_leaves_the_old_file_whole(
        tmp_path, monkeypatch):
    path = tmp_path / 'iter_2.pth'
    backend = AtomicLocalBackend()
    backend.put(b'old checkpoint', path)

    def die(fd):
        raise Crash

    monkeypatch.setattr(os, 'fsync', die)  # bytes written, not yet renamed
    with pytest.raises(Crash):
        backend.put(b'new checkpoint, half written', path)
    assert path.read_bytes() == b'old checkpoint'
    monkeypatch.undo()
    backend.put(b'new checkpoint', path)  # the stale temporary is replaced
    assert path.read_bytes() == b'new checkpoint'
    assert sorted(os.listdir(tmp_path)) == ['iter_2.pth']


class _Runner:
    """What CheckpointHook reads from a Runner; ``save_checkpoint`` writes
    the step through the hook's backend, or dies before writing."""

    def __init__(self, work_dir, crash=False):
        self.work_dir = self.log_dir = str(work_dir)
        self.message_hub = MessageHub.get_instance(f'hub-{work_dir}')
        self.logger = MMLogger.get_instance(f'log-{work_dir}')
        self.crash = crash
        self.iter, self.epoch = 0, 0

    def save_checkpoint(self,
                        out_dir,
                        filename,
                        file_client_args=None,
                        backend_args=None,
                        **kwargs):
        if self.crash:
            raise Crash
        save_checkpoint({'meta': {}},
                        osp.join(out_dir, filename),
                        backend_args=backend_args)


def _hook(cls, runner):
    hook = cls(interval=1, by_epoch=False, max_keep_ckpts=1)
    hook.before_train(runner)
    return hook


@pytest.mark.parametrize('cls,survives', [(CheckpointHook, False),
                                          (AtomicCheckpointHook, True)])
def test_the_old_checkpoint_goes_only_after_the_new_one_is_saved(
        tmp_path, cls, survives):
    runner = _Runner(tmp_path)
    hook = _hook(cls, runner)
    hook._save_checkpoint_with_step(runner, 2, dict(iter=2))
    assert (tmp_path / 'iter_2.pth').is_file()
    runner.crash = True
    with pytest.raises(Crash):
        hook._save_checkpoint_with_step(runner, 4, dict(iter=4))
    # MMEngine's own hook has deleted iter_2.pth before writing iter_4.pth
    assert (tmp_path / 'iter_2.pth').is_file() == survives
    assert (tmp_path / 'last_checkpoint').read_text().endswith('iter_2.pth')


def test_max_keep_ckpts_still_applies(tmp_path):
    runner = _Runner(tmp_path)
    hook = _hook(AtomicCheckpointHook, runner)
    assert isinstance(hook.file_backend, AtomicLocalBackend)
    for step in (2, 4, 6):
        hook._save_checkpoint_with_step(runner, step, dict(iter=step))
    assert sorted(os.listdir(tmp_path)) == ['iter_6.pth', 'last_checkpoint']


def test_latest_checkpoint_falls_back_when_last_checkpoint_is_unusable(
        tmp_path):
    for step in (2, 4, 10):
        torch.save({}, tmp_path / f'iter_{step}.pth')
    (tmp_path / 'last_checkpoint').write_text('')  # killed while writing it
    assert latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_10.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    assert latest_checkpoint(str(tmp_path)) == str(tmp_path / 'iter_4.pth')


def _resume_exit(argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        load_tool('train.py').main(argv)
    return str(exit_info.value.code)


@pytest.fixture
def work_dir(tmp_path, monkeypatch):
    """A work dir with a complete iter_2.pth; data for the demo config."""
    from tiny_videos import make_tiny_synthetic
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT',
                       make_tiny_synthetic(str(tmp_path / 'data')))
    work = tmp_path / 'work'
    work.mkdir()
    torch.save({'meta': {}, 'state_dict': {}}, work / 'iter_2.pth')
    return work


@pytest.mark.parametrize('content,reason', [
    (b'', 'the file is empty (0 bytes)'),
    (None, 'truncated or not a PyTorch checkpoint'),
])
def test_resume_names_the_file_and_why_it_is_unusable(work_dir, content,
                                                      reason):
    latest = work_dir / 'iter_4.pth'
    if content is None:  # the first half of a real checkpoint
        data = (work_dir / 'iter_2.pth').read_bytes()
        content = data[:len(data) // 2]
    latest.write_bytes(content)
    (work_dir / 'last_checkpoint').write_text(str(latest))
    for argv in (['--resume'], ['--resume', str(latest)]):
        message = _resume_exit([DEMO, '--work-dir', str(work_dir), *argv])
        assert f"--resume: checkpoint '{latest}' is unusable: {reason}" \
            in message
        assert f"other checkpoints there: {work_dir / 'iter_2.pth'}" \
            in message
        assert 'load_from' not in message


def test_resume_from_weights_only_file_says_to_use_load_from(work_dir):
    weights = work_dir / 'weights.pth'
    torch.save({'state_dict': {}}, weights)
    message = _resume_exit(
        [DEMO, '--work-dir',
         str(work_dir), '--resume',
         str(weights)])
    assert 'is not a Runner checkpoint' in message
    assert 'use load_from instead' in message


def test_checkpoint_error_is_a_config_error():
    assert issubclass(CheckpointError, ConfigError)
