"""A small synthetic video classification data set whose classes need
long-range spacetime reasoning.

Classes come in pairs. Within a pair single frames look alike (a noisy
background with one or two squares); what tells the two apart is how events far
apart in space and
time relate:

* ``same_colour_later`` / ``other_colour_later``: a square shows during the
  first 40% of the video and a second one, far from it, during the last 40%; of
  the same hue or of a clearly different one. Hues are uniform, so each square
  alone says nothing.
* ``warm_moves_first`` / ``cool_moves_first``: a warm and a cool square sit on
  opposite sides of the frame; both slide once, one early and one late. Which
  moves first?
* ``returns_to_start`` / ``reappears_elsewhere``: a square seen early vanishes
  for a while, then reappears at the same place or far from it.

All classes are invariant to horizontal flips, so ``Flip`` augmentation keeps
labels. Videos are written as mp4 (``mp4v``) with OpenCV, with varied lengths
and frame rates; the annotation lists follow MMAction2's ``VideoDataset``
format (``name.mp4 label``). Everything is a function of the seed.
"""
import colorsys
import os
import os.path as osp
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

CLASS_NAMES = ('same_colour_later', 'other_colour_later', 'warm_moves_first',
               'cool_moves_first', 'returns_to_start', 'reappears_elsewhere')
FPS_CHOICES = (10.0, 12.0, 15.0, 24.0, 25.0, 30.0)
SPLIT_CODES = {'train': 0, 'val': 1}


def list_file_name(split: str) -> str:
    """Annotation list of a split, relative to the data root."""
    return f'synthetic_{split}_list_videos.txt'


def video_dir_name(split: str) -> str:
    """Video folder of a split, relative to the data root."""
    return f'videos_{split}'


def _colour(hue: float, rng: np.random.Generator) -> np.ndarray:
    """An RGB colour of the given hue (in [0, 1)), saturated and bright; (3,)
    float."""
    rgb = colorsys.hsv_to_rgb(hue % 1.0, rng.uniform(0.7, 1.0),
                              rng.uniform(0.8, 1.0))
    return np.array(rgb) * 255.0


def _background(num_frames: int, height: int, width: int,
                rng: np.random.Generator) -> np.ndarray:
    """Dark, slightly graded background with per-frame noise; (T, H, W, 3)
    float32."""
    base = rng.uniform(20, 70, size=3).astype(np.float32)
    ramp = np.linspace(
        -10, 10, width, dtype=np.float32)[None, :, None]  # (1, W, 1)
    frame = base + ramp  # (1, W, 3)
    noise = rng.standard_normal((num_frames, height, width, 3),
                                dtype=np.float32)
    noise *= 3.0  # (T, H, W, 3)
    noise += frame[None]
    return noise


def _paint(frames: np.ndarray, t0: int, t1: int, ys: np.ndarray,
           xs: np.ndarray, size: int, colour: np.ndarray) -> None:
    """Draws a square with top-left corner (ys[t], xs[t]) on frames
    t0..t1-1."""
    for t in range(max(t0, 0), min(t1, len(frames))):
        y, x = int(ys[t]), int(xs[t])
        frames[t, y:y + size, x:x + size] = colour


def _side_positions(
        height: int, width: int, size: int,
        rng: np.random.Generator) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """Two (y, x) corners in the left and right quarters of the frame."""
    ys = rng.integers(0, height - size, size=2)
    left = int(rng.integers(0, max(width // 4 - size, 1)))
    right = int(rng.integers(3 * width // 4, width - size))
    return (int(ys[0]), left), (int(ys[1]), right)


def _far_position(height: int, width: int, size: int, anchor: Tuple[int, int],
                  rng: np.random.Generator) -> Tuple[int, int]:
    """A corner in the outer quarter of the half of the frame opposite
    ``anchor``."""
    y = int(rng.integers(0, height - size))
    if anchor[1] + size / 2 < width / 2:
        return y, int(rng.integers(3 * width // 4, width - size))
    return y, int(rng.integers(0, max(width // 4 - size, 1)))


def _slide_track(num_frames: int, start: Tuple[int, int], move_at: int,
                 duration: int, dy: int) -> Tuple[np.ndarray, np.ndarray]:
    """Per-frame corner of a square that slides by ``dy`` during [move_at,
    +duration)."""
    t = np.arange(num_frames)
    progress = np.clip((t - move_at) / max(duration, 1), 0.0, 1.0)
    ys = np.round(start[0] + progress * dy)
    return ys, np.full(num_frames, start[1])


def _render_colour(frames, variant, rng, size):
    """``same_colour_later`` (variant 0) / ``other_colour_later`` (variant 1).

    Squares of twice the usual side (at most a fifth of the width, so that the
    second one fits far away): at the demo's input scale they span about one
    cell of res4, where the demo network's second non-local block sits.
    """
    num_frames, height, width = frames.shape[:3]
    size = min(2 * size, width // 5)
    hue = rng.random()
    later_hue = hue if variant == 0 else hue + rng.uniform(0.3, 0.7)
    colours = (_colour(hue, rng), _colour(later_hue, rng))
    first = (int(rng.integers(0, height - size)),
             int(rng.integers(0, width - size)))
    second = _far_position(height, width, size, first, rng)
    length = int(0.4 * num_frames)
    for (y, x), colour, t0 in zip((first, second), colours,
                                  (0, num_frames - length)):
        _paint(frames, t0, t0 + length, np.full(num_frames, y),
               np.full(num_frames, x), size, colour)


def _render_order(frames, variant, rng, size):
    """``warm_moves_first`` (variant 0) / ``cool_moves_first`` (variant 1)."""
    num_frames, height, width = frames.shape[:3]
    warm = _colour(rng.uniform(-0.05, 0.12), rng)  # reds to yellows
    cool = _colour(rng.uniform(0.5, 0.7), rng)  # cyans to blues
    pos_a, pos_b = _side_positions(height, width, size, rng)
    if rng.random() < 0.5:
        pos_a, pos_b = pos_b, pos_a
    early = int(rng.uniform(0.1, 0.3) * num_frames)
    late = int(rng.uniform(0.6, 0.8) * num_frames)
    duration = max(num_frames // 8, 2)
    warm_at, cool_at = (early, late) if variant == 0 else (late, early)
    for pos, colour, move_at in ((pos_a, warm, warm_at), (pos_b, cool,
                                                          cool_at)):
        dy = (height // 3) * (1 if pos[0] < (height - size) / 2 else -1)
        ys, xs = _slide_track(num_frames, pos, move_at, duration, dy)
        _paint(frames, 0, num_frames, ys, xs, size, colour)


def _render_return(frames, variant, rng, size):
    """``returns_to_start`` (variant 0) / ``reappears_elsewhere`` (variant
    1)."""
    num_frames, height, width = frames.shape[:3]
    colour = _colour(rng.random(), rng)
    first = (int(rng.integers(0, height - size)),
             int(rng.integers(0, width - size)))
    second = first if variant == 0 else _far_position(height, width, size,
                                                      first, rng)
    vanish = int(rng.uniform(0.2, 0.35) * num_frames)
    back = int(rng.uniform(0.65, 0.8) * num_frames)
    for (y, x), t0, t1 in ((first, 0, vanish), (second, back, num_frames)):
        _paint(frames, t0, t1, np.full(num_frames, y), np.full(num_frames, x),
               size, colour)


# One renderer per pair of classes; labels 2i and 2i + 1 are its variants 0 and
# 1.
PAIR_RENDERERS: Tuple[Callable,
                      ...] = (_render_colour, _render_order, _render_return)


def render_video(label: int, num_frames: int, height: int, width: int,
                 rng: np.random.Generator) -> np.ndarray:
    """Renders one video of class ``label``.

    Args:
        label (int): Index into :data:`CLASS_NAMES`.
        num_frames (int): Frames T.
        height (int): Frame height H (at least 16).
        width (int): Frame width W (at least 16).
        rng (np.random.Generator): Source of all randomness.

    Returns:
        np.ndarray: (T, H, W, 3) uint8 RGB frames.
    """
    if not 0 <= label < len(CLASS_NAMES):
        raise ValueError(
            f'label must be in [0, {len(CLASS_NAMES)}), got {label}')
    if height < 16 or width < 16:
        raise ValueError(
            f'height and width must be >= 16, got {height}x{width}')
    frames = _background(num_frames, height, width, rng)  # (T, H, W, 3)
    PAIR_RENDERERS[label // 2](frames, label % 2, rng, max(height // 8, 4))
    return np.clip(np.round(frames), 0, 255).astype(np.uint8)


def write_mp4(path: str, frames: np.ndarray, fps: float) -> None:
    """Encodes RGB frames as an mp4 (``mp4v``) file and checks decord reads
    them back.

    Args:
        path (str): Output file; its folder must exist.
        frames (np.ndarray): (T, H, W, 3) uint8 RGB.
        fps (float): Frame rate stored in the container.
    """
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), float(fps),
                             (width, height))
    if not writer.isOpened():
        raise RuntimeError(f'OpenCV cannot write mp4v video {path!r}')
    try:
        for frame in frames:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()
    _check_readable(path, frames)


def _check_readable(path: str, frames: np.ndarray) -> None:
    """decord must see every frame and decode the first one at the written
    size."""
    import decord
    reader = decord.VideoReader(path)
    if len(reader) != len(frames):
        raise RuntimeError(f'decord reads {len(reader)} frames from {path!r}, '
                           f'{len(frames)} were written')
    try:
        shape = reader[0].shape
    except Exception as err:  # decord's DECORDError
        shape = f'an error ({type(err).__name__})'
    if shape != frames.shape[1:]:
        raise RuntimeError(
            f'decord 0.6.0 decodes frame 0 of {path!r} as {shape}, written '
            f'{frames.shape[1:]}; it misreads some frame widths (16, 24, 48 '
            'and 72 px '
            'measured): choose another width')


def balanced_labels(num_videos: int, num_classes: int, seed: int,
                    split: str) -> np.ndarray:
    """Labels 0..num_classes-1 in equal shares (up to one), shuffled by the
    seed."""
    rng = np.random.default_rng([seed, SPLIT_CODES[split], 1])
    return rng.permutation(np.arange(num_videos) % num_classes)


def make_split(
    out_dir: str,
    split: str,
    num_videos: int,
    num_classes: int = 2,
    height: int = 64,
    width: int = 96,
    frame_range: Tuple[int, int] = (64, 160),
    fps_choices: Sequence[float] = FPS_CHOICES,
    seed: int = 0,
    progress: Optional[Callable[[Iterable], Iterable]] = None
) -> List[Tuple[str, int]]:
    """Writes the videos and the annotation list of one split.

    Labels are balanced and shuffled by (seed, split, num_videos); the length,
    frame rate and content of video ``i`` then depend only on (seed, split, i,
    label).

    Args:
        out_dir (str): Data root; videos go to ``videos_<split>/``, the list to
            ``synthetic_<split>_list_videos.txt``.
        split (str): ``'train'`` or ``'val'``.
        num_videos (int): Videos to write.
        num_classes (int): Use the first ``num_classes`` of :data:`CLASS_NAMES`
            (2-6).
        height (int): Frame height.
        width (int): Frame width.
        frame_range (tuple[int, int]): Inclusive range of video lengths in
            frames.
        fps_choices (Sequence[float]): Frame rates drawn from.
        seed (int): Seed of everything.
        progress (callable, optional): Wraps the video loop, e.g. ``tqdm``.

    Returns:
        list[tuple[str, int]]: (file name, label) per video, as in the list
        file.
    """
    _validate_split_args(split, num_videos, num_classes, frame_range)
    video_dir = osp.join(out_dir, video_dir_name(split))
    os.makedirs(video_dir, exist_ok=True)
    labels = balanced_labels(num_videos, num_classes, seed, split)
    entries = []
    indices = range(num_videos) if progress is None else progress(
        range(num_videos))
    for idx in indices:
        rng = np.random.default_rng([seed, SPLIT_CODES[split], 2, idx])
        num_frames = int(rng.integers(frame_range[0], frame_range[1] + 1))
        fps = float(fps_choices[int(rng.integers(len(fps_choices)))])
        frames = render_video(int(labels[idx]), num_frames, height, width, rng)
        name = f'{idx:05d}.mp4'
        write_mp4(osp.join(video_dir, name), frames, fps)
        entries.append((name, int(labels[idx])))
    with open(
            osp.join(out_dir, list_file_name(split)), 'w',
            encoding='utf-8') as f:
        f.writelines(f'{name} {label}\n' for name, label in entries)
    return entries


def write_class_names(out_dir: str, num_classes: int) -> None:
    """Writes ``classes.txt``: the class names, one per line, in label
    order."""
    with open(osp.join(out_dir, 'classes.txt'), 'w', encoding='utf-8') as f:
        f.writelines(f'{name}\n' for name in CLASS_NAMES[:num_classes])


def _validate_split_args(split, num_videos, num_classes, frame_range) -> None:
    if split not in SPLIT_CODES:
        raise ValueError(
            f'split must be one of {list(SPLIT_CODES)}, got {split!r}')
    if num_videos < 1:
        raise ValueError(f'num_videos must be >= 1, got {num_videos}')
    if not 2 <= num_classes <= len(CLASS_NAMES):
        raise ValueError(f'num_classes must be in [2, {len(CLASS_NAMES)}], '
                         f'got {num_classes}')
    if not 8 <= frame_range[0] <= frame_range[1]:
        raise ValueError(
            f'frame_range must be (min, max) with 8 <= min <= max, '
            f'got {frame_range}')
