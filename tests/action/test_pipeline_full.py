"""The dataset configs' pipelines end to end on small videos written by the
test.

A 64x96 video is upscaled by the paper's spatial protocol, so the shapes are
the paper's: train (1, 3, 32, 224, 224); test (10, 3, 32, 256, 384) fully
convolutional and (30, 3, 32, 256, 256) with three crops.
"""
import numpy as np
import pytest
import torch
from mmaction.models import ActionDataPreprocessor
from mmengine.dataset import pseudo_collate

from pipeline_helpers import (build_pipeline, dataset_config, video_results,
                              write_index_video)


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('full') / 'clip.mp4')
    write_index_video(path, num_frames=80)
    return path


def run(config, split, path, seed=0):
    np.random.seed(seed)
    pipeline = build_pipeline(
        dataset_config(config)[f'{split}_dataloader'].dataset.pipeline)
    return pipeline(video_results(path, label=3))


@pytest.mark.parametrize('config, split, shape', [
    ('kinetics400_32x2x1', 'train', (1, 3, 32, 224, 224)),
    ('kinetics400_32x2x1', 'val', (1, 3, 32, 224, 224)),
    ('kinetics400_32x2x1', 'test', (10, 3, 32, 256, 384)),
    ('kinetics400_32x2x1_3crop', 'test', (30, 3, 32, 256, 256)),
    ('kinetics400_128x1x1', 'train', (1, 3, 128, 224, 224)),
    ('synthetic_videos', 'train', (1, 3, 16, 48, 72)),
    ('synthetic_videos', 'val', (1, 3, 16, 48, 72)),
    ('synthetic_videos', 'test', (10, 3, 16, 48, 72)),
])
def test_pipeline_output_shapes(video, config, split, shape):
    out = run(config, split, video)
    assert tuple(out['inputs'].shape) == shape
    assert out['inputs'].dtype == torch.uint8
    assert out['data_samples'].gt_label.tolist() == [3]


def test_128_frame_test_sampler():
    sampler = dataset_config(
        'kinetics400_128x1x1').test_dataloader.dataset.pipeline[1]
    assert (sampler.type, sampler.window, sampler.stride,
            sampler.num_clips) == ('EvenWindowSample', 128, 1, 10)


def test_three_crops_are_start_centre_end_of_the_full_view(video):
    full = run('kinetics400_32x2x1', 'test',
               video)['inputs']  # (10, 3, 32, 256, 384)
    crops = run('kinetics400_32x2x1_3crop', 'test',
                video)['inputs']  # (30, ...)
    # ThreeCrop orders crops left, right, middle; each of them holds all 10
    # clips
    for crop, x0 in zip(crops.reshape(3, 10, 3, 32, 256, 256), (0, 128, 64)):
        assert torch.equal(crop, full[..., x0:x0 + 256])


def test_train_spatial_protocol(video):
    """Short side random in [256, 320] with the aspect ratio kept, 224 crop,
    flip."""
    steps = build_pipeline(
        dataset_config('kinetics400_32x2x1').train_pipeline).transforms
    names = [type(t).__name__ for t in steps]
    assert names[3:6] == ['RandomRescale', 'RandomCrop', 'Flip']
    np.random.seed(0)
    decoded = video_results(video)
    for step in steps[:3]:
        decoded = step(decoded)
    short_sides, flips = set(), set()
    for _ in range(12):
        results = steps[3](dict(decoded, imgs=list(decoded['imgs'][:2])))
        height, width = results['img_shape']
        assert 256 <= height <= 320 and abs(width - height * 1.5) <= 1
        short_sides.add(height)
        results = steps[5](steps[4](results))
        assert results['img_shape'] == (224, 224)
        flips.add(results['flip'])
    assert len(short_sides) > 1 and flips == {True, False}


def test_batch_feeds_recognizer_as_n_clips(video):
    samples = [
        run('kinetics400_32x2x1', 'train', video, seed=s) for s in (0, 1)
    ]
    preprocessor = ActionDataPreprocessor(format_shape='NCTHW')
    batch = preprocessor(pseudo_collate(samples))
    inputs = batch[
        'inputs']  # (N, num_clips, 3, T, H, W), as Recognizer3D receives
    assert tuple(inputs.shape) == (2, 1, 3, 32, 224, 224)
    assert tuple(inputs.view((-1, ) + inputs.shape[2:]).shape) == (2, 3, 32,
                                                                   224, 224)
