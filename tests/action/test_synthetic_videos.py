"""The synthetic data set: files, lists, determinism, and what each class
shows."""
import colorsys
import filecmp
import os.path as osp
import subprocess
import sys
from collections import Counter

import decord
import numpy as np
import pytest

from nl_plugin.action.datasets.synthetic_videos import (CLASS_NAMES,
                                                        FPS_CHOICES,
                                                        make_split,
                                                        render_video,
                                                        write_mp4)
from pipeline_helpers import REPO

H, W = 48, 80  # decord 0.6.0 misdecodes some widths, e.g. 72


@pytest.fixture(scope='module')
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic')
    cmd = [
        sys.executable,
        osp.join(REPO, 'tools', 'data',
                 'make_synthetic_videos.py'), '--out-dir',
        str(out), '--num-train', '12', '--num-val', '6', '--num-classes', '6',
        '--height',
        str(H), '--width',
        str(W), '--min-frames', '30', '--max-frames', '60', '--seed', '3'
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return out, proc


def read_list(path):
    return [(name, int(label))
            for name, label in (line.split()
                                for line in open(path, encoding='utf-8'))]


def test_cli_writes_videos_and_mmaction_lists(generated):
    out, proc = generated
    assert (out / 'classes.txt').read_text().split() == list(CLASS_NAMES)
    # tqdm progress
    assert 'train videos' in proc.stderr and '100%' in proc.stderr
    lengths, rates = set(), set()
    for split, count in (('train', 12), ('val', 6)):
        entries = read_list(out / f'synthetic_{split}_list_videos.txt')
        assert [name for name, _ in entries
                ] == [f'{i:05d}.mp4' for i in range(count)]
        assert Counter(label for _, label in entries) == Counter(
            {c: count // 6
             for c in range(6)})  # balanced
        for name, _ in entries:
            reader = decord.VideoReader(str(out / f'videos_{split}' / name))
            assert 30 <= len(reader) <= 60
            assert reader[0].shape == (H, W, 3)
            lengths.add(len(reader))
            rates.add(round(reader.get_avg_fps(), 3))
    assert rates <= set(FPS_CHOICES) and len(rates) > 1 and len(lengths) > 1


def test_same_seed_same_bytes_other_seed_other_videos(generated, tmp_path):
    out, _ = generated
    again = make_split(
        str(tmp_path / 'a'), 'val', 6, 6, H, W, (30, 60), seed=3)
    assert again == read_list(out / 'synthetic_val_list_videos.txt')
    for name, _ in again:
        assert filecmp.cmp(
            tmp_path / 'a' / 'videos_val' / name,
            out / 'videos_val' / name,
            shallow=False)
    other = make_split(
        str(tmp_path / 'b'), 'val', 6, 6, H, W, (30, 60), seed=4)
    assert not all(
        filecmp.cmp(
            tmp_path / 'b' / 'videos_val' / name,
            out / 'videos_val' / name,
            shallow=False) for name, _ in other)


def test_decoded_video_equals_rendered_frames(tmp_path):
    frames = render_video(5, 40, H, W, np.random.default_rng(0))
    path = str(tmp_path / 'v.mp4')
    write_mp4(path, frames, 12.0)
    decoded = decord.VideoReader(path).get_batch(list(range(40))).asnumpy()
    error = np.abs(decoded.astype(np.int16) - frames).reshape(40,
                                                              -1).mean(axis=1)
    assert error.max() < 6.0
    assert np.array_equal(
        object_mask(decoded).any(axis=(1, 2)),
        object_mask(frames).any(axis=(1, 2)))


# --- what each class shows, measured on the rendered frames
# -------------------------


def object_mask(frames):
    """(T, H, W) True on the bright, saturated squares; the background is
    dark."""
    return frames.max(axis=-1) > 150


def centroids(mask):
    """(T, 2) mean (y, x) of the mask per frame; NaN where it is empty."""
    ys, xs = np.mgrid[:mask.shape[1], :mask.shape[2]]
    count = mask.sum(axis=(1, 2)).astype(float)
    with np.errstate(invalid='ignore'):
        return np.stack([(mask * ys).sum(axis=(1, 2)) / count,
                         (mask * xs).sum(axis=(1, 2)) / count],
                        axis=1)


def first_motion(track):
    """First frame whose centroid differs from the first frame's."""
    return int(np.argmax(np.abs(track - track[0]).max(axis=1) > 0.5))


def visible_runs(mask):
    """[(start, end)] of the runs of frames where the mask is not empty."""
    visible = np.concatenate([[0], mask.any(axis=(1, 2)).astype(int), [0]])
    edges = np.flatnonzero(np.diff(visible))
    return list(zip(edges[::2], edges[1::2]))


def hue(colour):
    return colorsys.rgb_to_hsv(*(np.asarray(colour) / 255.0))[0]


SEEDS = range(6)


@pytest.mark.parametrize('label', [2, 3])
def test_order_classes(label):
    for seed in SEEDS:
        frames = render_video(label, 90, H, W, np.random.default_rng(seed))
        red, blue = frames[..., 0].astype(int), frames[..., 2].astype(int)
        warm = object_mask(frames) & (red > blue + 60)
        cool = object_mask(frames) & (blue > red + 60)
        warm_x, cool_x = centroids(warm)[0, 1], centroids(cool)[0, 1]
        assert abs(warm_x - cool_x) > W / 2  # far apart in space
        warm_t, cool_t = first_motion(centroids(warm)), first_motion(
            centroids(cool))
        assert abs(warm_t - cool_t) > 90 / 5  # and in time
        assert (warm_t < cool_t) == (label == 2)


@pytest.mark.parametrize('label', [4, 5])
def test_return_classes(label):
    for seed in SEEDS:
        mask = object_mask(
            render_video(label, 90, H, W, np.random.default_rng(seed)))
        (s0, e0), (s1, e1) = visible_runs(mask)
        # gone for a long while
        assert s0 == 0 and e1 == 90 and s1 - e0 > 90 / 4
        track = centroids(mask)
        dx = abs(track[s1, 1] - track[e0 - 1, 1])
        if label == 4:
            np.testing.assert_allclose(track[s1], track[e0 - 1])
        else:
            assert dx >= W / 4


@pytest.mark.parametrize('label', [0, 1])
def test_colour_classes(label):
    for seed in SEEDS:
        frames = render_video(label, 90, H, W, np.random.default_rng(seed))
        mask = object_mask(frames)
        (s0, e0), (s1, e1) = visible_runs(mask)
        # first and last 40%
        assert s0 == 0 and e1 == 90 and e0 == 90 - s1 == 36
        track = centroids(mask)
        assert abs(track[s1, 1] - track[e0 - 1, 1]) >= W / 4  # far apart
        hues = [hue(frames[t][mask[t]].mean(axis=0)) for t in (s0, s1)]
        distance = abs(hues[0] - hues[1])
        distance = min(distance, 1 - distance)
        if label == 0:
            assert distance < 0.05
        else:
            assert distance > 0.2


def test_colour_hues_alone_do_not_tell_the_classes_apart():
    """Both squares' hues are uniform in both classes: only their relation
    differs."""

    def hues_of(label):
        first, later = [], []
        for seed in range(200):
            frames = render_video(label, 20, H, W, np.random.default_rng(seed))
            mask = object_mask(frames)
            first.append(hue(frames[0][mask[0]].mean(axis=0)))
            later.append(hue(frames[-1][mask[-1]].mean(axis=0)))
        return np.array(first), np.array(later)

    for first, later in (hues_of(0), hues_of(1)):
        for hues in (first, later):  # each roughly uniform on [0, 1)
            counts = np.histogram(hues, bins=4, range=(0, 1))[0]
            assert counts.min() > 30, counts


def test_classes_of_a_pair_have_the_same_kind_of_frames():
    """One frame alone tells little: 1-2 squares of the pair's size on a dark
    ground."""
    sizes = {0: 2 * (H // 8), 1: H // 8, 2: H // 8}  # per pair of classes
    for label in range(len(CLASS_NAMES)):
        size = sizes[label // 2]
        frames = render_video(label, 90, H, W, np.random.default_rng(label))
        counts = object_mask(frames).sum(axis=(1, 2))
        assert set(np.unique(counts)) <= {0, size * size, 2 * size * size}


@pytest.mark.parametrize('kwargs, message',
                         [(dict(split='test'), 'split'),
                          (dict(num_videos=0), 'num_videos'),
                          (dict(num_classes=7), 'num_classes'),
                          (dict(frame_range=(40, 20)), 'frame_range')])
def test_invalid_arguments(tmp_path, kwargs, message):
    args = dict(out_dir=str(tmp_path), split='train', num_videos=2)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        make_split(**args)


def test_width_decord_misreads_is_refused(tmp_path):
    frames = np.zeros((3, 32, 72, 3), np.uint8)
    with pytest.raises(RuntimeError, match='choose another width'):
        write_mp4(str(tmp_path / 'w72.mp4'), frames, 25.0)
