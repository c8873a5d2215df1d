"""Decoding: frames decoded by our transforms are the frames this test
wrote."""
import numpy as np
import pytest
from mmaction.datasets.transforms import DecordDecode, DecordInit, SampleFrames

from nl_plugin.action.datasets import (CheckedDecordInit, DecordUniqueDecode,
                                       EvenWindowSample, RandomWindowSample)
from pipeline_helpers import nearest_written, video_results, write_index_video

# grey levels; mp4v measures <= 3.5 on these frames
CODEC_MEAN_ABS_TOLERANCE = 6.0


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('decode') / 'index.mp4')
    return path, write_index_video(path, num_frames=90, fps=25.0)


def load(path, sampler, in_memory=False):
    results = CheckedDecordInit(in_memory=in_memory)(video_results(path))
    return DecordUniqueDecode()(sampler(results))


@pytest.mark.parametrize('sampler', [
    EvenWindowSample(num_clips=10, window=64, stride=2),
    EvenWindowSample(
        num_clips=3, window=128, stride=1, out_of_bound_opt='repeat_last'),
    RandomWindowSample(window=64, stride=2),
])
def test_decoded_frames_equal_written_frames(video, sampler):
    path, written = video
    np.random.seed(0)
    out = load(path, sampler)
    assert len(out['imgs']) == len(out['frame_inds'])
    for ind, img in zip(out['frame_inds'], out['imgs']):
        assert img.shape == (64, 96, 3) and img.dtype == np.uint8
        error = np.abs(img.astype(np.int16) -
                       written[ind].astype(np.int16)).mean()
        assert error < CODEC_MEAN_ABS_TOLERANCE, \
            f'frame {ind}: mean abs error {error}'
        assert nearest_written(img, written) == ind
    assert out['video_reader'] is None
    assert out['original_shape'] == out['img_shape'] == (64, 96)


def test_init_reports_frames_and_fps(video):
    path, written = video
    out = CheckedDecordInit()(video_results(path))
    assert out['total_frames'] == len(written)
    assert out['avg_fps'] == pytest.approx(25.0)


@pytest.mark.parametrize('in_memory',
                         [False, True])  # by path / via file client
def test_same_frames_as_mmaction_decord_decode(video, in_memory):
    path, _ = video
    ours = load(path, EvenWindowSample(num_clips=10), in_memory)
    theirs = DecordInit()(video_results(path))
    theirs['frame_inds'] = ours['frame_inds'].copy()
    theirs = DecordDecode()(theirs)
    for a, b in zip(ours['imgs'], theirs['imgs']):
        np.testing.assert_array_equal(a, b)


def test_mmaction_sampler_then_our_decoder(video):
    path, written = video
    results = CheckedDecordInit()(video_results(path))
    results = SampleFrames(
        clip_len=8, frame_interval=4, num_clips=2, test_mode=True)(
            results)
    out = DecordUniqueDecode()(results)
    assert [nearest_written(img, written)
            for img in out['imgs']] == list(out['frame_inds'])


class RecordingReader:
    """Stands in for decord.VideoReader: frame i is filled with the value i."""

    def __init__(self, num_frames):
        self.num_frames = num_frames
        self.calls = []

    def __len__(self):
        return self.num_frames

    def get_batch(self, indices):
        self.calls.append(list(indices))
        frames = np.stack([np.full((2, 3, 3), i, np.uint8) for i in indices])
        return type('NDArray', (), {'asnumpy': lambda self: frames})()


def test_each_distinct_frame_decoded_once_in_order():
    reader = RecordingReader(10)
    frame_inds = np.array([4, 2, 4, 9, 2, 2, 0])
    out = DecordUniqueDecode()(
        dict(video_reader=reader, frame_inds=frame_inds, filename='f.mp4'))
    assert reader.calls == [[0, 2, 4, 9]]
    assert [int(img[0, 0, 0]) for img in out['imgs']] == [4, 2, 4, 9, 2, 2, 0]
    out['imgs'][0][...] = 77  # repeated frames are separate arrays
    assert int(out['imgs'][2][0, 0, 0]) == 4


def test_index_outside_video_is_a_clear_error():
    reader = RecordingReader(5)
    with pytest.raises(ValueError, match="outside the 5 frames of 'f.mp4'"):
        DecordUniqueDecode()(
            dict(
                video_reader=reader,
                frame_inds=np.array([0, 5]),
                filename='f.mp4'))
    assert reader.calls == []
