"""Indices of RandomWindowSample / EvenWindowSample against hand-computed
ones."""
import numpy as np
import pytest
from mmaction.datasets.transforms import SampleFrames
from mmaction.registry import TRANSFORMS

from nl_plugin.action.datasets import (EvenWindowSample, RandomWindowSample,
                                       VideoReadError)


def sample(transform, total_frames, **extra):
    results = dict(
        total_frames=total_frames, start_index=0, filename='v.mp4', **extra)
    return transform(results)


def test_registered_in_mmaction_registry():
    assert TRANSFORMS.get('RandomWindowSample') is RandomWindowSample
    assert TRANSFORMS.get('EvenWindowSample') is EvenWindowSample


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
    # MMAction2's test mode: a window spans (32 - 1) * 2 + 1 = 63 frames, so
    # the last start is 300 - 63 = 237; start_i = round(i * 237 / 9)
    expected_starts = [0, 26, 53, 79, 105, 132, 158, 184, 211, 237]
    inds = out['frame_inds'].reshape(10, 32)
    assert inds[:, 0].tolist() == expected_starts
    assert np.array_equal(inds - inds[:, :1],
                          np.tile(np.arange(0, 64, 2), (10, 1)))
    assert inds[-1, -1] == 299  # the last window ends at the last frame
    assert (out['clip_len'], out['num_clips']) == (32, 10)


def test_wrap_spacing_is_the_official_test_clips_hand_computed():
    """Official decoder: start_k = int(float(N) / 10 * k) % N, frame i of the
    clip at (start_k + i * rate) % N."""
    out = sample(
        EvenWindowSample(window=64, stride=8, num_clips=10, spacing='wrap'),
        total_frames=250)
    inds = out['frame_inds'].reshape(10, 8)
    assert inds[:, 0].tolist() == [0, 25, 50, 75, 100, 125, 150, 175, 200, 225]
    # the last clip: 225, 233, 241, 249, then 257 % 250 = 7, 15, 23, 31
    assert inds[-1].tolist() == [225, 233, 241, 249, 7, 15, 23, 31]


def test_wrap_spacing_starts_are_k_tenths_of_the_video():
    """The float32 arithmetic of the official decoder equals floor(k * N / 10)
    for every video length up to 2000 frames."""
    from nl_plugin.action.datasets.transforms.window_sample import \
        spread_starts
    for total in range(1, 2000):
        want = [k * total // 10 for k in range(10)]
        assert spread_starts(total, 10).tolist() == want, total


def test_wrap_spacing_needs_looping():
    with pytest.raises(ValueError, match="out_of_bound_opt='loop'"):
        EvenWindowSample(spacing='wrap', out_of_bound_opt='repeat_last')
    with pytest.raises(ValueError, match='spacing'):
        EvenWindowSample(spacing='official')


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
        RandomWindowSample(window=64, stride=2, out_of_bound_opt='loop'),
        total_frames=40)
    expected = list(range(0, 40, 2)) + list(range(0, 24, 2))  # 20 + 12 frames
    assert out['frame_inds'].tolist() == expected


def test_short_video_repeat_last_repeats_the_clips_last_frame():
    out = sample(
        RandomWindowSample(
            window=64, stride=2, out_of_bound_opt='repeat_last'),
        total_frames=40)
    expected = list(range(0, 40, 2)) + [38] * 12  # 38: the last kept frame
    assert out['frame_inds'].tolist() == expected


@pytest.mark.parametrize('mode', ['loop', 'repeat_last'])
@pytest.mark.parametrize('total_frames', [1, 2, 5, 63, 64, 65])
def test_indices_never_leave_the_video(mode, total_frames):
    for transform in (RandomWindowSample(out_of_bound_opt=mode),
                      EvenWindowSample(num_clips=10, out_of_bound_opt=mode)):
        inds = sample(transform, total_frames)['frame_inds']
        assert inds.min() >= 0 and inds.max() < total_frames
        assert len(inds) == 32 * (10 if isinstance(transform, EvenWindowSample)
                                  else 1)


def test_short_video_test_windows_all_start_at_zero():
    inds = sample(
        EvenWindowSample(num_clips=3, out_of_bound_opt='repeat_last'),
        50)['frame_inds']
    clip = list(range(0, 50, 2)) + [48] * 7
    assert inds.tolist() == clip * 3


def test_frame_rate_aware_window_covers_the_same_seconds():
    """target_fps=30: a 64-frame window lasts 64 / 30 s at any frame rate; its
    32 frames spread from its first to its last frame (MMAction2's
    ``linspace``)."""
    sampler = EvenWindowSample(num_clips=1, window=64, stride=2, target_fps=30)
    # 15 fps: 32 frames span the window; start (100 - 32) // 2 = 34
    at_15 = sample(sampler, 100, avg_fps=15.0)['frame_inds']
    assert at_15.tolist() == list(range(34, 66))
    # 60 fps: 128 frames; start (500 - 128) // 2 = 186, offsets
    # floor(i * 127 / 31)
    at_60 = sample(sampler, 500, avg_fps=60.0)['frame_inds']
    assert at_60.tolist() == [186 + (i * 127) // 31 for i in range(32)]
    assert at_60[-1] - at_60[0] == 127
    # 30 fps: 64 frames, every 2nd but the last (floor(31 * 63 / 31) = 63)
    at_30 = sample(sampler, 64, avg_fps=30.0)['frame_inds']
    assert at_30.tolist() == [(i * 63) // 31 for i in range(32)]


@pytest.mark.parametrize('fps', [None, 0.0, float('nan')])
def test_frame_rate_aware_window_needs_valid_fps(fps):
    sampler = RandomWindowSample(target_fps=30)
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
    (dict(target_fps=-1.0), 'target_fps'),
    (dict(target_fps=True), 'target_fps'),
    (dict(out_of_bound_opt='mirror'),
     "out_of_bound_opt must be one of \\['loop', 'repeat_last'\\]"),
    (dict(num_clips=0), 'num_clips'),
])
def test_invalid_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        EvenWindowSample(**kwargs)


@pytest.mark.parametrize('ours, theirs', [
    (RandomWindowSample(window=64,
                        stride=2), dict(clip_len=32, frame_interval=2)),
    (EvenWindowSample(num_clips=10, out_of_bound_opt='repeat_last'),
     dict(
         clip_len=32,
         frame_interval=2,
         num_clips=10,
         test_mode=True,
         out_of_bound_opt='repeat_last')),
])
@pytest.mark.parametrize('total_frames', [40, 300])
def test_same_indices_as_mmaction_sample_frames(ours, theirs, total_frames):
    np.random.seed(5)
    expected = SampleFrames(**theirs)(dict(
        total_frames=total_frames, start_index=0))['frame_inds']
    np.random.seed(5)
    assert np.array_equal(sample(ours, total_frames)['frame_inds'], expected)
