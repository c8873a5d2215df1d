"""Bad videos: a clear error naming the file at test time; skipped, logged and
counted in training with RobustVideoDataset(skip_unreadable=True). Never
placeholder frames."""
import logging
import os.path as osp

import numpy as np
import pytest
from mmaction.datasets import VideoDataset
from mmengine.logging import MMLogger
from mmengine.registry import DATASETS, init_default_scope

from nl_plugin.action.datasets import RobustVideoDataset, VideoReadError
from pipeline_helpers import build_pipeline, dataset_config, write_index_video

GOOD_FRAMES = 70


def _corrupt_stream(data: bytes) -> bytes:
    """Overwrites the middle of the media data with zeros; the index stays
    intact."""
    middle = bytearray(data)
    middle[len(data) // 5:len(data) //
           2] = bytes(len(data) // 2 - len(data) // 5)
    return bytes(middle)


BAD_KINDS = {
    'missing':
    None,
    'empty':
    lambda data: b'',
    'truncated':
    lambda data: data[:len(data) // 2],
    'not_a_video':
    lambda data: np.random.default_rng(0).integers(
        0, 256, 4000, dtype=np.uint8).tobytes(),
    'corrupt_stream':
    _corrupt_stream,
}


@pytest.fixture(scope='module')
def video_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('robust')
    good = root / 'good.mp4'
    write_index_video(str(good), GOOD_FRAMES)
    data = good.read_bytes()
    for kind, make in BAD_KINDS.items():
        if make is not None:
            (root / f'{kind}.mp4').write_bytes(make(data))
    return root


def kinetics_pipeline(split):
    return list(dataset_config('kinetics400_32x2x1')[f'{split}_pipeline'])


@pytest.mark.parametrize('in_memory',
                         [False, True])  # by path / via file client
@pytest.mark.parametrize('kind', sorted(BAD_KINDS))
def test_test_pipeline_raises_naming_the_file(video_dir, kind, in_memory):
    steps = kinetics_pipeline('test')
    steps[0] = dict(type='CheckedDecordInit', in_memory=in_memory)
    pipeline = build_pipeline(steps)
    path = str(video_dir / f'{kind}.mp4')
    with pytest.raises(VideoReadError) as info:
        pipeline(dict(filename=path, label=0, start_index=0, modality='RGB'))
    assert info.value.filename == path
    assert path in str(info.value)


def test_configuration_errors_are_not_video_errors(video_dir):
    init = build_pipeline(
        [dict(type='CheckedDecordInit', io_backend='nowhere')])
    with pytest.raises(ValueError, match='nowhere'):
        init(dict(filename=str(video_dir / 'good.mp4')))


def test_corrupt_stream_fails_while_decoding_not_opening(video_dir):
    init, sampler, decode = build_pipeline(
        kinetics_pipeline('test')[:3]).transforms
    results = sampler(
        init(
            dict(
                filename=str(video_dir / 'corrupt_stream.mp4'),
                start_index=0)))
    assert results['total_frames'] == GOOD_FRAMES
    with pytest.raises(VideoReadError, match='decoding frames'):
        decode(results)


def test_zero_frame_container_raises(tmp_path):
    import cv2
    path = str(tmp_path / 'zero_frames.mp4')
    cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 25.0,
                    (96, 64)).release()
    assert osp.getsize(path) > 0  # a container, but no frames in it
    pipeline = build_pipeline(kinetics_pipeline('test'))
    with pytest.raises(VideoReadError, match='zero_frames.mp4'):
        pipeline(dict(filename=path, label=0, start_index=0, modality='RGB'))


def write_list(root, names):
    ann = root / f'list_{len(names)}_{names[0]}.txt'
    ann.write_text(''.join(f'{name} {i % 2}\n'
                           for i, name in enumerate(names)))
    return str(ann)


def synthetic_loading_pipeline():
    """Decode and format, no resizing: keeps this test fast."""
    pipeline = list(dataset_config('synthetic_videos').train_pipeline)
    return pipeline[:3] + [
        pipeline[-2],
        dict(type='PackActionInputs', meta_keys=('filename', 'img_shape'))
    ]


def test_test_mode_dataset_raises_naming_the_file(video_dir):
    init_default_scope('mmaction')
    dataset = VideoDataset(
        ann_file=write_list(video_dir, ['good.mp4', 'truncated.mp4']),
        data_prefix=dict(video=str(video_dir)),
        pipeline=synthetic_loading_pipeline(),
        test_mode=True)
    assert dataset[0]['inputs'].shape == (1, 3, 16, 64, 96)
    with pytest.raises(VideoReadError, match='truncated.mp4'):
        dataset[1]


class Capture(logging.Handler):

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record):
        if record.getMessage().startswith('Skipping unreadable'):
            self.messages.append(record.getMessage())


def test_training_skips_bad_videos_with_warning_and_count(video_dir):
    init_default_scope('mmaction')
    names = ['good.mp4'] + [f'{kind}.mp4' for kind in sorted(BAD_KINDS)]
    dataset = DATASETS.build(
        dict(
            type='RobustVideoDataset',
            skip_unreadable=True,
            ann_file=write_list(video_dir, names),
            data_prefix=dict(video=str(video_dir)),
            pipeline=synthetic_loading_pipeline()))
    capture = Capture()
    logger = MMLogger.get_current_instance()
    logger.addHandler(capture)
    try:
        np.random.seed(0)
        for idx in range(1, len(names)):
            data = dataset[
                idx]  # a bad video: refetched until good.mp4 comes up
            assert data['data_samples'].metainfo['filename'].endswith(
                'good.mp4')
            assert data['inputs'].shape == (1, 3, 16, 64, 96)
            assert int(
                data['inputs'].float().std()) > 0  # real frames, not a fill
        dataset[1]  # already skipped once: counted once, logged once
    finally:
        logger.removeHandler(capture)
    bad = {str(video_dir / name) for name in names[1:]}
    assert dataset.skipped_files == bad and dataset.num_skipped == len(bad)
    assert len(capture.messages) == len(bad)
    for path in bad:
        assert sum(path in m for m in capture.messages) == 1
    assert f'({len(bad)} skipped so far' in capture.messages[-1]


def test_training_without_skip_raises(video_dir):
    init_default_scope('mmaction')
    dataset = RobustVideoDataset(
        ann_file=write_list(video_dir, ['empty.mp4', 'good.mp4']),
        data_prefix=dict(video=str(video_dir)),
        pipeline=synthetic_loading_pipeline())
    with pytest.raises(VideoReadError, match='empty.mp4'):
        dataset[0]


def test_other_errors_are_not_swallowed(video_dir):
    init_default_scope('mmaction')
    pipeline = synthetic_loading_pipeline()
    pipeline.insert(
        3, dict(type='Fuse'))  # fails on any input: not a video problem
    dataset = RobustVideoDataset(
        skip_unreadable=True,
        ann_file=write_list(video_dir, ['good.mp4']),
        data_prefix=dict(video=str(video_dir)),
        pipeline=pipeline)
    with pytest.raises(ValueError, match='No lazy operation'):
        dataset[0]
    assert dataset.num_skipped == 0


@pytest.mark.parametrize('kwargs, message', [
    (dict(skip_unreadable=True, test_mode=True), 'only with test_mode=False'),
    (dict(skip_unreadable='yes'), 'skip_unreadable must be True or False'),
])
def test_invalid_arguments(video_dir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        RobustVideoDataset(
            ann_file=write_list(video_dir, ['good.mp4']),
            pipeline=[],
            **kwargs)
