"""A small synthetic data set in the layout of the Charades release, for
multi-label training and mAP evaluation on a CPU.

Each class is "a square of one colour is on screen" (red, green, blue, yellow,
...); an action of that class is the time the square shows, at a place of its
own near the centre of the frame. A video holds 0 to 3 actions of distinct
classes, which may overlap in time. Written like the release:

* ``Charades_v1_classes.txt`` (``c000 Showing a red square`` ...);
* ``Charades_v1_train.csv`` / ``Charades_v1_test.csv`` with the release's 11
  columns (``actions`` = ``c001 0.40 1.85;c003 1.20 2.60``, ``length`` in
  seconds);
* RGB frames at 24 fps, ``Charades_v1_rgb/{id}/{id}-000001.jpg`` ...
  (``'frames'``), and / or videos ``Charades_v1_480/{id}.mp4``
  (``'videos'``).

Everything is a function of the seed.
"""
import csv
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from .charades_annotations import Action
from .synthetic_videos import (colour_of_hue, noisy_background, paint_square,
                               write_mp4)

COLOURS = (('red', 0.0), ('green', 0.33), ('blue', 0.62), ('yellow', 0.15),
           ('magenta', 0.83), ('cyan', 0.5))
CSV_COLUMNS = ('id', 'subject', 'scene', 'quality', 'relevance', 'verified',
               'script', 'objects', 'descriptions', 'actions', 'length')
SPLITS = {'train': 0, 'test': 1}
MEDIA = ('frames', 'videos')
FRAMES_DIR, VIDEOS_DIR = 'Charades_v1_rgb', 'Charades_v1_480'
FRAME_TMPL = '{id}-{:06d}.jpg'


def classes_file_name() -> str:
    return 'Charades_v1_classes.txt'


def csv_file_name(split: str) -> str:
    """``Charades_v1_train.csv`` / ``Charades_v1_test.csv``."""
    return f'Charades_v1_{split}.csv'


def class_names(num_classes: int) -> List[Tuple[str, str]]:
    """``[(class id, name), ...]`` of the first ``num_classes`` colours."""
    return [(f'c{i:03d}', f'Showing a {name} square')
            for i, (name, _) in enumerate(COLOURS[:num_classes])]


def draw_actions(length: float, num_classes: int,
                 rng: np.random.Generator) -> Tuple[Action, ...]:
    """0-3 actions of distinct classes, at least 0.5 s each, inside
    ``[0, length]``, times rounded to 0.01 s (as written to the CSV)."""
    count = int(rng.choice(4, p=(0.1, 0.3, 0.35, 0.25)))
    actions = []
    for label in sorted(
            rng.choice(num_classes, min(count, num_classes), replace=False)):
        duration = rng.uniform(0.5, max(0.5, length / 2))
        start = rng.uniform(0, max(length - duration, 0))
        actions.append(
            Action(
                int(label), round(start, 2),
                round(min(start + duration, length), 2)))
    return tuple(actions)


def render_charades_video(actions: Sequence[Action], num_frames: int,
                          fps: float, height: int, width: int,
                          rng: np.random.Generator) -> np.ndarray:
    """Frames of one video: each action's square shows on the frames ``t``
    with ``start <= t / fps < end``.

    Returns:
        np.ndarray: (T, H, W, 3) uint8 RGB.
    """
    frames = noisy_background(num_frames, height, width, rng)  # (T, H, W, 3)
    size = max(height // 5, 4)
    for action in actions:
        # inside the central 60% x 70%, so that crops keep the square
        y = int(rng.integers(height // 5, 4 * height // 5 - size + 1))
        x = int(rng.integers(3 * width // 10, 7 * width // 10 - size + 1))
        t0 = int(np.ceil(action.start * fps))
        t1 = int(np.ceil(action.end * fps))
        paint_square(frames, t0, t1, np.full(num_frames, y),
                     np.full(num_frames, x), size,
                     colour_of_hue(COLOURS[action.label][1], rng))
    return np.clip(np.round(frames), 0, 255).astype(np.uint8)


def _write_frames(root: str, video_id: str, frames: np.ndarray) -> None:
    folder = osp.join(root, video_id)
    os.makedirs(folder, exist_ok=True)
    for i, frame in enumerate(frames, start=1):
        path = osp.join(folder, FRAME_TMPL.format(i, id=video_id))
        if not cv2.imwrite(path, cv2.cvtColor(frame, cv2.COLOR_RGB2BGR)):
            raise RuntimeError(f'OpenCV cannot write {path!r}')


def _csv_row(video_id: str, actions: Sequence[Action], length: float,
             class_ids: Sequence[str]) -> Dict[str, str]:
    return dict(
        id=video_id,
        subject='SYNTH',
        scene='Synthetic room',
        quality='7',
        relevance='7',
        verified='Yes',
        script='Coloured squares appear, one per action.',
        objects='square',
        descriptions='Squares of some colours show for a while.',
        actions=';'.join(f'{class_ids[a.label]} {a.start:.2f} {a.end:.2f}'
                         for a in actions),
        length=f'{length:.2f}')


def make_charades_split(out_dir: str,
                        split: str,
                        num_videos: int,
                        num_classes: int = 4,
                        height: int = 64,
                        width: int = 96,
                        length_range: Tuple[float, float] = (2.0, 3.0),
                        fps: float = 24.0,
                        media: Sequence[str] = ('frames', ),
                        seed: int = 0) -> List[Dict[str, str]]:
    """Writes the CSV and the media of one split.

    Args:
        out_dir (str): Data root (the classes file is written by
            :func:`make_synthetic_charades`).
        split (str): ``'train'`` or ``'test'``.
        num_videos (int): Videos to write.
        num_classes (int): Classes, 2 to ``len(COLOURS)``.
        height (int): Frame height (at least 16).
        width (int): Frame width (at least 16).
        length_range (tuple[float, float]): Video lengths in seconds.
        fps (float): Frame rate of frames and videos.
        media (Sequence[str]): ``'frames'`` and / or ``'videos'``.
        seed (int): Seed of everything.

    Returns:
        list[dict]: The CSV rows.
    """
    _validate(split, num_videos, num_classes, height, width, length_range,
              media)
    class_ids = [c for c, _ in class_names(num_classes)]
    rows = []
    for idx in range(num_videos):
        rng = np.random.default_rng([seed, SPLITS[split], idx])
        video_id = f'{split[:2].upper()}{idx:03d}'
        length = round(float(rng.uniform(*length_range)), 2)
        actions = draw_actions(length, num_classes, rng)
        frames = render_charades_video(actions, int(round(length * fps)), fps,
                                       height, width, rng)
        if 'frames' in media:
            _write_frames(osp.join(out_dir, FRAMES_DIR), video_id, frames)
        if 'videos' in media:
            os.makedirs(osp.join(out_dir, VIDEOS_DIR), exist_ok=True)
            write_mp4(
                osp.join(out_dir, VIDEOS_DIR, f'{video_id}.mp4'), frames, fps)
        rows.append(_csv_row(video_id, actions, length, class_ids))
    with open(
            osp.join(out_dir, csv_file_name(split)),
            'w',
            encoding='utf-8',
            newline='') as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return rows


def make_synthetic_charades(out_dir: str,
                            num_train: int = 16,
                            num_test: int = 8,
                            seed: int = 0,
                            **kwargs) -> Dict[str, str]:
    """Writes the classes file and both splits.

    Args:
        out_dir (str): Data root, created if missing.
        num_train (int): Training videos.
        num_test (int): Test videos.
        seed (int): Seed of everything.
        **kwargs: :func:`make_charades_split` arguments (``num_classes``,
            ``media``, sizes, ...).

    Returns:
        dict: Paths of ``classes``, ``train`` and ``test`` annotation files.
    """
    num_classes = kwargs.get('num_classes', 4)
    os.makedirs(out_dir, exist_ok=True)
    make_charades_split(out_dir, 'train', num_train, seed=seed, **kwargs)
    make_charades_split(out_dir, 'test', num_test, seed=seed, **kwargs)
    classes = osp.join(out_dir, classes_file_name())
    with open(classes, 'w', encoding='utf-8') as f:
        f.writelines(f'{c} {name}\n' for c, name in class_names(num_classes))
    return dict(
        classes=classes,
        train=osp.join(out_dir, csv_file_name('train')),
        test=osp.join(out_dir, csv_file_name('test')))


def _validate(split, num_videos, num_classes, height, width, length_range,
              media) -> None:
    if split not in SPLITS:
        raise ValueError(f'split must be one of {list(SPLITS)}, got {split!r}')
    if num_videos < 1:
        raise ValueError(f'num_videos must be >= 1, got {num_videos}')
    if not 2 <= num_classes <= len(COLOURS):
        raise ValueError(f'num_classes must be in [2, {len(COLOURS)}], got '
                         f'{num_classes}')
    if height < 16 or width < 16:
        raise ValueError(
            f'height and width must be >= 16, got {height}x{width}')
    if not 0.5 <= length_range[0] <= length_range[1]:
        raise ValueError('length_range must be (min, max) seconds with '
                         f'0.5 <= min <= max, got {length_range}')
    if not media or any(m not in MEDIA for m in media):
        raise ValueError(
            f'media must be a non-empty subset of {list(MEDIA)}, got {media!r}'
        )
