"""Index arithmetic of window clip sampling, as plain functions on integers.

A *window* is a run of ``span`` consecutive frames; a clip keeps ``clip_len``
frames spread evenly over it (every ``stride``-th frame when ``span = clip_len
* stride``).
"""
import math
from typing import Optional

import numpy as np

SHORT_VIDEO_MODES = ('loop', 'pad')


def window_span(window: int, window_seconds: Optional[float],
                fps: float) -> int:
    """Frames covered by one window.

    Args:
        window (int): Window length in frames, used when ``window_seconds`` is
            None.
        window_seconds (float, optional): Window length in seconds.
        fps (float): Frame rate of the video; read only with
            ``window_seconds``.

    Returns:
        int: ``window``, or ``round(window_seconds * fps)`` but at least 1.
    """
    if window_seconds is None:
        return window
    return max(1, int(round(window_seconds * fps)))


def offsets_in_window(span: int, clip_len: int) -> np.ndarray:
    """Positions of the kept frames inside a window: ``floor(i * span /
    clip_len)``.

    Returns:
        np.ndarray: (clip_len,) int64; ``0, stride, 2 * stride, ...`` when
        ``span == clip_len * stride``.
    """
    return (np.arange(clip_len, dtype=np.int64) * span) // clip_len


def random_start(total_frames: int, span: int) -> int:
    """A window start drawn uniformly from ``[0, max(total_frames - span,
    0)]``."""
    max_start = max(total_frames - span, 0)
    return int(np.random.randint(max_start + 1))


def even_starts(total_frames: int, span: int, num_clips: int) -> np.ndarray:
    """Starts of ``num_clips`` windows evenly spaced from the first to the last
    frame.

    ``start_i = floor(i * max_start / (num_clips - 1))`` with
    ``max_start = max(total_frames - span, 0)``: the first window starts at
    frame 0 and the last one ends at the last frame. A single clip is centred.

    Returns:
        np.ndarray: (num_clips,) int64.
    """
    max_start = max(total_frames - span, 0)
    if num_clips == 1:
        return np.array([max_start // 2], dtype=np.int64)
    return (np.arange(num_clips, dtype=np.int64) * max_start) // (
        num_clips - 1)


def sliding_starts(total_frames: int, span: int, step: int) -> np.ndarray:
    """Starts ``0, step, 2 * step, ...`` of the windows that fit in the video.

    Returns:
        np.ndarray: (num_windows,) int64, ``[0]`` when even one window does
        not fit.
    """
    return np.arange(0, max(total_frames - span, 0) + 1, step, dtype=np.int64)


def fit_to_video(frame_inds: np.ndarray, total_frames: int,
                 mode: str) -> np.ndarray:
    """Maps indices past the last frame back into the video.

    Args:
        frame_inds (np.ndarray): Non-negative indices, any shape.
        total_frames (int): Frames of the video, at least 1.
        mode (str): ``'loop'`` wraps around to the start (official code);
            ``'pad'`` repeats the last frame.

    Returns:
        np.ndarray: Indices in ``[0, total_frames)``, same shape.
    """
    if mode == 'loop':
        return frame_inds % total_frames
    if mode == 'pad':
        return np.minimum(frame_inds, total_frames - 1)
    raise ValueError(
        f'mode must be one of {list(SHORT_VIDEO_MODES)}, got {mode!r}')


def is_valid_fps(fps) -> bool:
    """True for a finite, positive frame rate."""
    return fps is not None and math.isfinite(float(fps)) and float(fps) > 0
