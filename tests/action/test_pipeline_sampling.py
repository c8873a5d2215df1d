"""Indices of RandomWindowSample / EvenWindowSample against hand-computed
ones."""
import numpy as np
import pytest

from nl_plugin.action.datasets import (EvenWindowSample, RandomWindowSample,
                                       VideoReadError)


def sample(transform, total_frames, **extra):
    results = dict(
        total_frames=total_frames, start_index=0, filename='v.mp4', **extra)
    return transform(results)


def test_train_window_64_stride_2_keeps_32_frames():
    np.random.seed(0)
    starts = set()
    for _ in range(3000):
        out = sample(RandomWindowSample(window=64, stride=2), total_frames=200)
        inds = out['frame_inds']
        assert inds.shape == (32, )
        assert np.array_equal(inds, inds[0] + np.arange(0, 64, 2))
        starts.add(int(inds[0]))
    # every start of a full window, 0 .. 200 - 64, is drawn and nothing else
    assert starts == set(range(137))
    assert (out['clip_len'], out['frame_interval'], out['num_clips']) == (32,
                                                                          2, 1)


def test_train_128_frame_mode_is_consecutive():
    np.random.seed(1)
    out = sample(RandomWindowSample(window=128, stride=1), total_frames=300)
    inds = out['frame_inds']
    assert np.array_equal(inds, np.arange(inds[0], inds[0] + 128))
    assert 0 <= inds[0] <= 172 and out['clip_len'] == 128


def test_train_start_follows_numpy_seed():

    def draw(seed):
        np.random.seed(seed)
        return sample(RandomWindowSample(), total_frames=500)['frame_inds']

    assert np.array_equal(draw(3), draw(3))
    assert any(not np.array_equal(draw(3), draw(s)) for s in range(4, 8))


def test_test_windows_evenly_spaced_hand_computed():
    out = sample(
        EvenWindowSample(window=64, stride=2, num_clips=10), total_frames=300)
    # max start 300 - 64 = 236; start_i = floor(i * 236 / 9)
    expected_starts = [0, 26, 52, 78, 104, 131, 157, 183, 209, 236]
    inds = out['frame_inds'].reshape(10, 32)
    assert inds[:, 0].tolist() == expected_starts
    assert np.array_equal(inds - inds[:, :1],
                          np.tile(np.arange(0, 64, 2), (10, 1)))
    assert inds[-1,
                -1] == 298  # the last window spans frames 236..299, keeps 298
    assert (out['clip_len'], out['num_clips']) == (32, 10)


def test_test_sampling_is_deterministic():
    sampler = EvenWindowSample(num_clips=10)
    np.random.seed(0)
    first = sample(sampler, total_frames=250)['frame_inds']
    np.random.seed(123)
    np.random.rand(17)
    second = sample(sampler, total_frames=250)['frame_inds']
    assert np.array_equal(first, second)


def test_single_test_clip_is_centred():
    out = sample(
        EvenWindowSample(window=64, stride=2, num_clips=1), total_frames=100)
    assert out['frame_inds'][0] == 18  # (100 - 64) // 2


def test_start_index_offsets_indices():
    out = EvenWindowSample(
        num_clips=2, window=4, stride=1)(
            dict(total_frames=10, start_index=1, filename='v.mp4'))
    assert out['frame_inds'].tolist() == [1, 2, 3, 4, 7, 8, 9, 10]


def test_short_video_loop_wraps_around():
    np.random.seed(0)
    out = sample(
        RandomWindowSample(window=64, stride=2, short_video='loop'),
        total_frames=40)
    expected = list(range(0, 40, 2)) + list(range(0, 24, 2))  # 20 + 12 frames
    assert out['frame_inds'].tolist() == expected


def test_short_video_pad_repeats_last_frame():
    out = sample(
        RandomWindowSample(window=64, stride=2, short_video='pad'),
        total_frames=40)
    expected = list(range(0, 40, 2)) + [39] * 12
    assert out['frame_inds'].tolist() == expected


@pytest.mark.parametrize('mode', ['loop', 'pad'])
@pytest.mark.parametrize('total_frames', [1, 2, 5, 63, 64, 65])
def test_indices_never_leave_the_video(mode, total_frames):
    for transform in (RandomWindowSample(short_video=mode),
                      EvenWindowSample(num_clips=10, short_video=mode)):
        inds = sample(transform, total_frames)['frame_inds']
        assert inds.min() >= 0 and inds.max() < total_frames
        assert len(inds) == 32 * (10 if isinstance(transform, EvenWindowSample)
                                  else 1)


def test_short_video_test_windows_all_start_at_zero():
    inds = sample(EvenWindowSample(num_clips=3, short_video='pad'),
                  50)['frame_inds']
    clip = list(range(0, 50, 2)) + [49] * 7
    assert inds.tolist() == clip * 3


def test_frame_rate_aware_window_matches_frames_at_30_fps():
    sampler = EvenWindowSample(
        num_clips=2, window=64, stride=2, window_seconds=64 / 30)
    at_30 = sample(sampler, 300, avg_fps=30.0)['frame_inds']
    frames_mode = sample(EvenWindowSample(num_clips=2), 300)['frame_inds']
    assert np.array_equal(at_30, frames_mode)


def test_frame_rate_aware_window_covers_same_seconds():
    sampler = EvenWindowSample(
        num_clips=1, window=64, stride=2, window_seconds=2.0)
    at_15 = sample(sampler, 100, avg_fps=15.0)
    # 2 s at 15 fps = 30 frames: start (100 - 30) // 2 = 35; offsets floor(i *
    # 30 / 32)
    assert at_15['frame_inds'].tolist() == [
        35 + (i * 30) // 32 for i in range(32)
    ]
    assert at_15['frame_inds'][:4].tolist() == [35, 35, 36, 37]
    at_60 = sample(sampler, 500, avg_fps=60.0)['frame_inds']
    # 120 frames: spread every 3.75 frames over 2 s
    assert at_60[-1] - at_60[0] == (31 * 120) // 32 == 116
    assert at_15['frame_interval'] == pytest.approx(30 / 32)


@pytest.mark.parametrize('fps', [None, 0.0, float('nan')])
def test_frame_rate_aware_window_needs_valid_fps(fps):
    sampler = RandomWindowSample(window_seconds=2.0)
    with pytest.raises(VideoReadError, match='v.mp4'):
        sample(sampler, 100, avg_fps=fps)


def test_zero_frames_raise_naming_the_file():
    with pytest.raises(VideoReadError, match="'v.mp4'.*no frames"):
        sample(RandomWindowSample(), 0)


@pytest.mark.parametrize('kwargs, name', [
    (dict(window=0), 'window'),
    (dict(window=64.0), 'window'),
    (dict(stride=0), 'stride'),
    (dict(window=64, stride=3), 'multiple of stride'),
    (dict(window_seconds=-1.0), 'window_seconds'),
    (dict(window_seconds=True), 'window_seconds'),
    (dict(short_video='mirror'),
     "short_video must be one of \\['loop', 'pad'\\]"),
    (dict(num_clips=0), 'num_clips'),
])
def test_invalid_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        EvenWindowSample(**kwargs)
