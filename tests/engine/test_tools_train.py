"""End to end on CPU: a training killed mid-way resumes from its last
checkpoint at the same iteration and LR; a 2-process gloo run of
tools/dist_train.sh saves a checkpoint that tools/dist_test.sh evaluates with
the 10-clip protocol."""
import json
import os
import os.path as osp
import re
import signal
import socket
import subprocess
import sys
import time

import pytest
import torch

from project_paths import ROOT
from tiny_videos import make_tiny_synthetic

DEMO = osp.join(ROOT, 'configs', 'demo',
                'nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')
# Small, quick and deterministic in the number of iterations: batch 2, no
# workers.
QUICK = [
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
    'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'default_hooks.logger.interval=1'
]
LR = 0.05
LOG_LINE = re.compile(r'Iter\(train\) \[\s*(\d+)/(\d+)\]\s+lr: ([0-9.e+-]+)')


@pytest.fixture(scope='module')
def env(tmp_path_factory):
    root = make_tiny_synthetic(str(tmp_path_factory.mktemp('tiny_videos')))
    return dict(
        os.environ,
        SYNTHETIC_VIDEOS_ROOT=root,
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1')


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def _train_cmd(work_dir, max_iters, extra=()):
    return [
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), DEMO, '--work-dir',
        str(work_dir), *extra, '--cfg-options', *QUICK,
        f'train_cfg.max_iters={max_iters}', 'train_cfg.val_interval=1000',
        'default_hooks.checkpoint.interval=2',
        'default_hooks.checkpoint.save_best=None',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        f'optim_wrapper.optimizer.lr={LR}', 'param_scheduler.0.milestones=[5]'
    ]


def _logged_lrs(text: str) -> dict:
    return {
        int(m.group(1)): float(m.group(3))
        for m in LOG_LINE.finditer(text)
    }


def _expected_lr(iteration: int) -> float:
    """LR of the 1-based iteration: x0.1 after 5 scheduler steps."""
    return LR if iteration <= 5 else LR * 0.1


def _kill_after_checkpoint(cmd, env, work_dir, iteration, timeout=240):
    """Starts a training and kills it (SIGKILL) once ``iter_<iteration>.pth``
    is
    complete (MMEngine writes ``last_checkpoint`` after the file)."""
    process = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True)
    marker = osp.join(work_dir, 'last_checkpoint')
    deadline = time.time() + timeout
    try:
        while time.time() < deadline and process.poll() is None:
            if osp.isfile(marker) and open(marker).read().strip().endswith(
                    f'iter_{iteration}.pth'):
                break
            time.sleep(0.1)
        assert process.poll(
        ) is None, 'training ended before it could be killed'
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        output = process.communicate()[0]
    return output


def test_killed_training_resumes_at_same_iteration_and_lr(env, tmp_path):
    work_dir = tmp_path / 'work'
    first = _kill_after_checkpoint(
        _train_cmd(work_dir, 8), env, str(work_dir), 4)
    done = _logged_lrs(first)
    assert 4 in done and max(done) < 8, 'killed mid-way, after iteration 4'
    latest = int(
        re.search(r'iter_(\d+)\.pth',
                  open(work_dir / 'last_checkpoint').read()).group(1))

    second = subprocess.run(
        _train_cmd(work_dir, 8, ['--resume']),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300)
    assert second.returncode == 0, \
        second.stdout[-3000:] + second.stderr[-3000:]
    log = second.stdout + second.stderr
    assert f'resumed epoch: 0, iter: {latest}' in log
    lrs = _logged_lrs(log)
    assert sorted(lrs) == list(range(latest + 1,
                                     9))  # continues, repeats nothing
    for iteration, lr in lrs.items():
        assert lr == pytest.approx(_expected_lr(iteration)), iteration
    # weights_only torch.load (the default) reads them thanks to the compat
    # allow-list
    resumed_from = torch.load(work_dir / f'iter_{latest}.pth')
    final = torch.load(work_dir / 'iter_8.pth')
    assert final['meta']['iter'] == 8
    assert resumed_from['param_schedulers'][0]['_global_step'] == latest
    assert final['param_schedulers'][0]['_global_step'] == 8
    assert final['optimizer']['param_groups'][0]['lr'] == pytest.approx(LR *
                                                                        0.1)


@pytest.mark.skipif(torch.cuda.is_available(), reason='the CPU (gloo) path')
def test_two_process_cpu_training_and_ten_clip_test(env, tmp_path):
    work_dir = tmp_path / 'dist'
    dist_env = dict(env, PORT=_free_port())
    train = subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_train.sh'), DEMO, '2', '--work-dir',
        str(work_dir), '--cfg-options', *QUICK, 'train_cfg.max_iters=4',
        'train_cfg.val_interval=1000', 'default_hooks.checkpoint.interval=4',
        'default_hooks.checkpoint.save_best=None'
    ],
                           env=dist_env,
                           cwd=ROOT,
                           capture_output=True,
                           text=True,
                           timeout=300)
    log = train.stdout + train.stderr
    assert train.returncode == 0, log[-4000:]
    # 2 ranks
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    # CPU process group, no init_dist
    assert "dist_cfg: {'backend': 'gloo'}" in log
    checkpoint = work_dir / 'iter_4.pth'
    assert checkpoint.is_file()
    assert sorted(p.name for p in work_dir.glob('*.pth')) == ['iter_4.pth']

    metrics_file = tmp_path / 'metrics.json'
    test = subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_test.sh'), DEMO,
        str(checkpoint), '2', '--work-dir',
        str(tmp_path / 'dist_test'), '--metrics-out',
        str(metrics_file), '--cfg-options', *QUICK
    ],
                          env=dict(env, PORT=_free_port()),
                          cwd=ROOT,
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert test.returncode == 0, (test.stdout + test.stderr)[-4000:]
    metrics = json.loads(metrics_file.read_text())
    for key in ('acc/video_top1', 'acc/clip_top1'):
        assert 0.0 <= metrics[key] <= 1.0
    assert 'metrics: {' in test.stdout
