"""tools/extract_features.py: per-window and per-video backbone features equal
the backbone called directly on the same frames (decord + cv2 resize + the
config's normalisation, pooled by hand) for avg and max pooling, on mp4 and
Motion-JPEG AVI; frame-rate-aware steps; resumable with a manifest;
unreadable videos listed, never written; two processes share the videos."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import cv2
import decord
import numpy as np
import pytest
import torch
from mmaction.apis import init_recognizer
from mmengine.config import Config

from nl_plugin.action.inference.feature_pooling import (pool_clips, pool_crops,
                                                        pool_views)
from project_paths import ROOT
from tool_loader import load_tool
from tool_videos import make_tool_inputs

# the demo config's test clip: 16 frames, every 6th of a 96-frame window,
# short side 48
CLIP_LEN, STRIDE, SPAN, SHORT_SIDE = 16, 6, 96, 48


@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    return make_tool_inputs(str(tmp_path_factory.mktemp('features')))


@pytest.fixture(scope='module')
def tool():
    return load_tool('extract_features.py')


@pytest.fixture(scope='module')
def model(inputs):
    return init_recognizer(
        Config.fromfile(inputs['config']), inputs['checkpoint'], 'cpu')


def reference_clip(model, video: str, start: int, spatial: str,
                   temporal: str) -> torch.Tensor:
    """The backbone called directly on one window's frames, pooled by hand:
    ``(C,)``."""
    reader = decord.VideoReader(video)
    inds = [min(start + STRIDE * i, len(reader) - 1) for i in range(CLIP_LEN)]
    frames = reader.get_batch(inds).asnumpy()  # (T, H, W, 3) RGB
    height, width = frames.shape[1:3]
    size = (round(width * SHORT_SIDE / height), SHORT_SIDE)
    frames = np.stack(
        [cv2.resize(f, size, interpolation=cv2.INTER_LINEAR) for f in frames])
    x = torch.from_numpy(frames).float().permute(3, 0, 1, 2)  # (3, T, H, W)
    pre = model.cfg.model.data_preprocessor
    mean = torch.tensor(pre.mean).view(3, 1, 1, 1)
    std = torch.tensor(pre.std).view(3, 1, 1, 1)
    with torch.no_grad():
        feats = model.backbone(((x - mean) / std)[None])[0]  # (C, T, H, W)
    pooled = feats.mean((2, 3)) if spatial == 'avg' else feats.amax((2, 3))
    return pooled.mean(1) if temporal == 'avg' else pooled.amax(1)


def _run(tool, inputs, out, *extra):
    return tool.main([
        inputs['config'], inputs['checkpoint'], inputs['folder'], '--out',
        str(out), '--no-progress', *extra
    ])


def _manifest(out):
    return json.load(open(osp.join(out, 'manifest.json')))


@pytest.mark.parametrize('spatial,temporal', [('avg', 'avg'), ('max', 'max'),
                                              ('max', 'avg')])
def test_windows_equal_the_backbone_on_the_same_frames(inputs, tool, model,
                                                       tmp_path, spatial,
                                                       temporal):
    out = tmp_path / 'windows'
    assert _run(tool, inputs, out, '--step', '24', '--spatial', spatial,
                '--temporal', temporal, '--windows-per-batch', '2') == 0
    manifest = _manifest(out)
    for video, total, starts in zip(inputs['videos'], (120, 150),
                                    ([0, 24], [0, 24, 48])):
        record = next(r for r in manifest['videos'] if r['video'] == video)
        assert record['clip_starts'] == starts
        assert record['total_frames'] == total
        feats = np.load(osp.join(out, record['output']))
        assert feats.dtype == np.float32
        assert feats.shape == (len(starts), 512) == tuple(record['shape'])
        want = torch.stack([
            reference_clip(model, video, s, spatial, temporal) for s in starts
        ])
        torch.testing.assert_close(
            torch.from_numpy(feats), want, rtol=1e-4, atol=1e-5)
    assert manifest['settings']['spatial'] == spatial


def test_step_in_seconds_follows_each_videos_frame_rate(
        inputs, tool, tmp_path):
    out = tmp_path / 'seconds'
    assert _run(tool, inputs, out, '--step-seconds', '0.4') == 0
    starts = {
        osp.basename(r['video']): r['clip_starts']
        for r in _manifest(out)['videos']
    }
    assert starts['a.mp4'] == [0, 10, 20]  # 25 fps: 10 frames
    assert starts['b.avi'] == list(range(0, 49, 8))  # 20 fps: 8 frames


def test_one_vector_per_video_from_the_test_views(inputs, tool, model,
                                                  tmp_path):
    out = tmp_path / 'video'
    assert _run(tool, inputs, out, '--mode', 'video', '--temporal', 'max') == 0
    for video, total in zip(inputs['videos'], (120, 150)):
        name = osp.splitext(osp.basename(video))[0] + '.npy'
        feats = np.load(osp.join(out, name))
        assert feats.shape == (512, )
        # upstream's 10 test windows: the first starts at frame 0, the last
        # one's last kept frame is the video's last frame
        last_start = total - ((CLIP_LEN - 1) * STRIDE + 1)
        starts = np.round(np.arange(10) * last_start / 9).astype(int)
        clips = torch.stack(
            [reference_clip(model, video, s, 'avg', 'max') for s in starts])
        torch.testing.assert_close(
            torch.from_numpy(feats), clips.amax(0), rtol=1e-4, atol=1e-5)


def test_resumes_lists_unreadable_videos_and_refuses_other_settings(
        inputs, tool, tmp_path):
    out = tmp_path / 'resume'
    argv = [
        inputs['config'], inputs['checkpoint'], inputs['folder'],
        inputs['broken'], '--out',
        str(out), '--no-progress'
    ]
    assert tool.main(argv) == 1  # the broken video
    first = _manifest(out)
    assert [r['status'] for r in first['videos']] == ['written'] * 2
    assert first['failed'][0]['video'] == inputs['broken']
    assert not osp.exists(osp.join(out, 'broken.npy'))
    stamps = {p: os.stat(out / p).st_mtime_ns for p in ('a.npy', 'b.npy')}
    assert tool.main(argv) == 1
    second = _manifest(out)
    assert [r['status'] for r in second['videos']] == ['existing'] * 2
    for before, after in zip(first['videos'], second['videos']):
        assert after['shape'] == before['shape']
        assert after['clip_starts'] == before['clip_starts']
    assert stamps == {
        p: os.stat(out / p).st_mtime_ns
        for p in ('a.npy', 'b.npy')
    }
    with pytest.raises(SystemExit, match="other settings.*'spatial'"):
        tool.main(argv + ['--spatial', 'max'])


def test_pooling_arguments_are_checked():
    with pytest.raises(ValueError, match='spatial'):
        pool_views(torch.zeros(1, 2, 1, 1, 1), 'mean', 'avg')
    with pytest.raises(ValueError, match='temporal'):
        pool_clips(torch.zeros(2, 3), 'sum')
    views = torch.arange(12.).view(6, 2)  # 3 crops x 2 clips, crop-major
    torch.testing.assert_close(
        pool_crops(views, 2, 'max'), torch.tensor([[8., 9.], [10., 11.]]))


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def test_two_processes_share_the_videos(inputs, tmp_path):
    out = tmp_path / 'dist'
    result = subprocess.run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_extract_features.sh'), inputs['config'],
        inputs['checkpoint'], '2', inputs['folder'], inputs['broken'], '--out',
        str(out), '--no-progress', '--step', '24'
    ],
                            env=dict(
                                os.environ,
                                PYTHON=sys.executable,
                                PORT=_free_port(),
                                OMP_NUM_THREADS='1'),
                            capture_output=True,
                            text=True,
                            timeout=300)
    assert result.returncode == 1, result.stderr[-3000:]  # the broken video
    manifest = _manifest(out)
    records = manifest['videos'] + manifest['failed']
    assert sorted(r['video'] for r in records) == sorted(inputs['videos'] +
                                                         [inputs['broken']])
    assert {r['process'] for r in records} == {0, 1}
    assert [
        np.load(osp.join(out, r['output'])).shape[0]
        for r in manifest['videos']
    ] == [2, 3]


def test_sliding_window_sampler():
    from mmengine.registry import TRANSFORMS, init_default_scope
    init_default_scope('mmaction')
    sampler = TRANSFORMS.build(
        dict(type='SlidingWindowSample', window=8, stride=2, step=3))
    out = sampler(dict(total_frames=15, start_index=0))
    # starts 0, 3, 6 (6 + 8 <= 15); 4 frames each, every 2nd
    assert out['num_clips'] == 3 and out['clip_len'] == 4
    assert out['frame_inds'].reshape(3, 4).tolist() == [[0, 2, 4, 6],
                                                        [3, 5, 7, 9],
                                                        [6, 8, 10, 12]]
    short = TRANSFORMS.build(
        dict(
            type='SlidingWindowSample',
            window=8,
            stride=2,
            out_of_bound_opt='repeat_last'))(
                dict(total_frames=5, start_index=0))
    assert short['frame_inds'].tolist() == [0, 2, 4, 4]  # one padded window
    for bad, name in ((dict(step=0), 'step'), (dict(step_seconds=-1.0),
                                               'step_seconds'),
                      (dict(step=2, step_seconds=1.0), 'not both')):
        with pytest.raises(ValueError, match=name):
            TRANSFORMS.build(dict(type='SlidingWindowSample', **bad))
    by_seconds = TRANSFORMS.build(
        dict(type='SlidingWindowSample', step_seconds=1.0))
    with pytest.raises(RuntimeError, match='frame rate'):
        by_seconds(dict(total_frames=100, filename='x.mp4', avg_fps=0))


def test_window_geometry_of_mmaction_sample_frames():
    from mmengine.registry import init_default_scope

    from nl_plugin.action.inference.feature_extraction import (
        _window_geometry, split_test_pipeline)
    init_default_scope('mmaction')
    cfg = Config.fromfile(
        osp.join(
            ROOT, 'configs', 'recognition', 'mixing',
            'nl-i3d_mmaction-i3d-r50-5block_8xb8-32x2x1-100e_'
            'kinetics400-rgb.py'))
    _, sampler, rest = split_test_pipeline(
        cfg.test_dataloader.dataset.pipeline)
    assert type(sampler).__name__ == 'SampleFrames'
    assert _window_geometry(sampler) == dict(
        window=64, stride=2, out_of_bound_opt='loop', target_fps=None)
