"""The synthetic Charades-format set: the release's layout, deterministic,
frames that show exactly the annotated actions."""
import csv
import filecmp
import os
import subprocess
import sys

import numpy as np
import pytest

from nl_plugin.action.datasets.charades_annotations import (read_charades_csv,
                                                            read_classes)
from nl_plugin.action.datasets.synthetic_charades import (
    COLOURS, CSV_COLUMNS, draw_actions, make_synthetic_charades,
    render_charades_video)
from project_paths import TOOLS


def test_layout_of_the_release(tmp_path):
    files = make_synthetic_charades(
        str(tmp_path), 3, 2, media=('frames', 'videos'))
    classes = read_classes(files['classes'])
    assert classes[1] == ('c001', 'Showing a green square')
    with open(files['train'], newline='') as f:
        assert tuple(csv.DictReader(f).fieldnames) == CSV_COLUMNS
    for split, count in (('train', 3), ('test', 2)):
        videos, problems = read_charades_csv(files[split],
                                             [c for c, _ in classes])
        assert len(videos) == count and problems == []
        for video in videos:
            frames = sorted(
                os.listdir(tmp_path / 'Charades_v1_rgb' / video.video_id))
            assert frames[0] == f'{video.video_id}-000001.jpg'
            assert len(frames) == round(video.length * 24)
            assert (tmp_path / 'Charades_v1_480' /
                    f'{video.video_id}.mp4').is_file()


def test_deterministic_and_seeded(tmp_path):
    for name, seed in (('a', 3), ('b', 3), ('c', 4)):
        make_synthetic_charades(str(tmp_path / name), 2, 1, seed=seed)
    assert filecmp.cmp(tmp_path / 'a' / 'Charades_v1_train.csv',
                       tmp_path / 'b' / 'Charades_v1_train.csv', False)
    assert not filecmp.cmp(tmp_path / 'a' / 'Charades_v1_train.csv',
                           tmp_path / 'c' / 'Charades_v1_train.csv', False)


def test_squares_show_during_their_actions_only():
    rng = np.random.default_rng(0)
    fps, num_frames = 24.0, 60
    for _ in range(5):
        actions = draw_actions(num_frames / fps, 4, rng)
        frames = render_charades_video(actions, num_frames, fps, 64, 96,
                                       rng).astype(float)
        bright = frames.max(axis=-1).max(axis=(1, 2)) > 150  # (T,)
        shown = np.zeros(num_frames, bool)
        for action in actions:
            t = np.arange(num_frames) / fps
            shown |= (t >= action.start) & (t < action.end)
        np.testing.assert_array_equal(bright, shown)


def test_command_line_tool(tmp_path):
    out = tmp_path / 'set'
    subprocess.run([
        sys.executable,
        os.path.join(TOOLS, 'data', 'make_synthetic_charades.py'),
        str(out), '--num-train', '2', '--num-test', '1', '--num-classes', '3'
    ],
                   check=True,
                   capture_output=True)
    assert len(read_classes(str(out / 'Charades_v1_classes.txt'))) == 3


def test_bad_arguments_are_named(tmp_path):
    for kwargs, name in ((dict(num_classes=len(COLOURS) + 1),
                          'num_classes'), (dict(media=('gifs', )), 'media'),
                         (dict(length_range=(0.1, 1.0)), 'length_range')):
        with pytest.raises(ValueError, match=name):
            make_synthetic_charades(str(tmp_path), 1, 1, **kwargs)
