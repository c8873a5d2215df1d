"""The README's two commands for a released model, as a user runs them (given
the .pkl; here a random one of the official format): convert, then
tools/test.py with the released config. The converted checkpoint also loads
with MMAction2's init_recognizer and starts a fine-tuning run from its
config's load_from, classifier of another size included."""
import json
import os
import os.path as osp
import subprocess
import sys

import torch
from mmaction.apis import init_recognizer
from official_video_nonlocal import (arch_of, random_blobs,
                                     with_training_state,
                                     write_official_pickle)

from project_paths import CONFIGS, ROOT
from tiny_videos import make_kinetics_layout, make_tiny_synthetic

STEM = 'c2d_nonlocal_8x8_IN_pretrain_400k'
CONFIG = osp.join(CONFIGS, 'recognition', 'video_nonlocal_net',
                  f'{STEM}_kinetics400-rgb.py')
FINETUNE = CONFIG.replace('_kinetics400-rgb', '_finetune_kinetics400-rgb')
CHECKPOINT = f'checkpoints/video_nonlocal_net/{STEM}.pth'  # as in README
NO_WORKERS = [
    f'{split}_dataloader.{key}={value}' for split in ('train', 'val', 'test')
    for key, value in (('num_workers', 0), ('persistent_workers', False))
]

# the configs' pipelines on small inputs (the tiny videos are 64x96): test
# 1 clip, short side 64, 3 crops of 64x64; train on 56x56 crops, 1 iteration
SMALL_TEST = [
    'test_dataloader.dataset.pipeline.1.num_clips=1',
    'test_dataloader.dataset.pipeline.3.scale=(-1,64)',
    'test_dataloader.dataset.pipeline.4.crop_size=64'
]
SMALL_TRAIN = [
    'train_dataloader.dataset.pipeline.3.scale_range=(64,72)',
    'train_dataloader.dataset.pipeline.4.size=56', 'train_cfg.max_iters=1',
    'train_cfg.val_interval=100', 'train_dataloader.batch_size=1'
]


def _run(cmd, cwd, env):
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        result.stdout[-3000:] + result.stderr[-3000:])
    return result.stdout + result.stderr


def test_convert_then_test_then_fine_tune_a_release(tmp_path):
    root = make_tiny_synthetic(str(tmp_path / 'videos'))
    env = dict(
        os.environ,
        KINETICS400_ROOT=make_kinetics_layout(root, str(tmp_path / 'k400')),
        OMP_NUM_THREADS='2')
    write_official_pickle(
        str(tmp_path / f'{STEM}.pkl'),
        with_training_state(random_blobs(arch_of(STEM))),
        wrapped=True)

    # 1. python tools/convert/video_nonlocal_net.py SRC.pkl DST.pth
    out = _run([
        sys.executable,
        osp.join(ROOT, 'tools', 'convert', 'video_nonlocal_net.py'),
        f'{STEM}.pkl', CHECKPOINT
    ], tmp_path, env)
    assert 'blobs left unused: 0' in out and 'parameters left unset: 0' in out
    converted = torch.load(tmp_path / CHECKPOINT, weights_only=True)

    # 2. python tools/test.py CONFIG DST (here 1 clip x 3 crops of 64x64)
    out = _run([
        sys.executable,
        osp.join(ROOT, 'tools', 'test.py'), CONFIG, CHECKPOINT, '--work-dir',
        'work_test', '--cfg-options', *NO_WORKERS, *SMALL_TEST
    ], tmp_path, env)
    metrics = json.loads(out[out.rindex('metrics: ') + 9:].splitlines()[0])
    assert {'acc/video_top1', 'acc/clip_top1'} <= set(metrics)

    # MMAction2's inference API takes the file as it is
    model = init_recognizer(CONFIG, str(tmp_path / CHECKPOINT), device='cpu')
    state = model.state_dict()
    assert set(state) == set(converted['state_dict'])
    for key, value in converted['state_dict'].items():
        assert torch.equal(state[key], value), key

    # fine-tuning from the converted weights (load_from of the config), to
    # 2 classes
    out = _run([
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), FINETUNE, '--work-dir', 'work_ft',
        '--cfg-options', *NO_WORKERS, *SMALL_TRAIN,
        'model.cls_head.num_classes=2'
    ], tmp_path, env)
    assert f'Load checkpoint from {CHECKPOINT}' in out
    assert 'size mismatch for cls_head.fc_cls.weight' in out
    tuned = torch.load(
        tmp_path / 'work_ft' / 'iter_1.pth', map_location='cpu')['state_dict']
    key = 'backbone.layer2.1.non_local_block.theta.conv.weight'
    torch.testing.assert_close(
        tuned[key], converted['state_dict'][key], rtol=0, atol=1e-3)
    assert tuned['cls_head.fc_cls.weight'].shape == (2, 2048)
