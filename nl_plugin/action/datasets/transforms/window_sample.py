"""Window clip samplers of the paper: a random window for training, evenly
spaced windows for testing.

Training (paper, Sec. 4.1): a random run of ``window=64`` consecutive frames,
keeping every ``stride=2``-nd frame, gives a 32-frame clip; the 128-frame mode
keeps all of 128 consecutive frames (``window=128, stride=1``). Testing (paper,
Inference): ``num_clips=10`` windows evenly spaced in time. Both write the keys
of MMAction2's ``SampleFrames`` (``frame_inds``, ``clip_len``,
``frame_interval``, ``num_clips``), so MMAction2's decoders, ``FormatShape``
and the spatial transforms follow unchanged.
"""
from numbers import Real
from typing import Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..video_errors import VideoReadError
from .window_indices import (SHORT_VIDEO_MODES, even_starts, fit_to_video,
                             is_valid_fps, offsets_in_window, random_start,
                             sliding_starts, window_span)


def _positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'{name} must be a positive int, got {value!r}')


def _optional_positive_number(name: str, value) -> None:
    if value is not None and (isinstance(value, bool)
                              or not isinstance(value, Real) or not value > 0):
        raise ValueError(
            f'{name} must be None or a positive number, got {value!r}')


class WindowSampleBase(BaseTransform):
    """Shared arguments and index assembly of the window samplers.

    Required keys: ``total_frames``; ``avg_fps`` with ``window_seconds``;
    ``start_index`` (default 0); ``filename`` (for error messages).
    Added keys: ``frame_inds`` ((num_clips * clip_len,) int64), ``clip_len``,
    ``frame_interval``, ``num_clips``.

    Args:
        window (int): Consecutive frames one clip is taken from. Default 64.
        stride (int): Keep every ``stride``-th frame of the window; ``window``
            must be a multiple of it. The clip has ``window // stride`` frames.
            Default 2.
        window_seconds (float, optional): Frame-rate-aware mode: the window
            spans this many seconds at the video's ``avg_fps`` (``round(seconds
            * fps)`` frames) and the ``window // stride`` frames are spread
              evenly over it. ``None`` (default)
            counts the window in frames, as the paper does.
        short_video (str): Videos shorter than the window: ``'loop'`` (default,
            as the official code) wraps around to the first frame, ``'pad'``
            repeats the last frame. Either way the clip keeps its length and no
            index leaves the video.
    """

    def __init__(self,
                 window: int = 64,
                 stride: int = 2,
                 window_seconds: Optional[float] = None,
                 short_video: str = 'loop'):
        _positive_int('window', window)
        _positive_int('stride', stride)
        if window % stride != 0:
            raise ValueError(
                f'window must be a multiple of stride, got window={window}, '
                f'stride={stride}')
        _optional_positive_number('window_seconds', window_seconds)
        if short_video not in SHORT_VIDEO_MODES:
            raise ValueError(
                f'short_video must be one of {list(SHORT_VIDEO_MODES)}, '
                f'got {short_video!r}')
        self.window = window
        self.stride = stride
        self.window_seconds = window_seconds
        self.short_video = short_video
        self.clip_len = window // stride

    def _span(self, results: dict) -> int:
        """Frames of one window for this video."""
        if self.window_seconds is None:
            return self.window
        return window_span(self.window, self.window_seconds,
                           self._fps(results, 'window_seconds'))

    @staticmethod
    def _fps(results: dict, needed_by: str) -> float:
        """The video's ``avg_fps``; raises if it is not a valid frame rate."""
        fps = results.get('avg_fps')
        if not is_valid_fps(fps):
            raise VideoReadError(
                results.get('filename', '<unknown>'),
                f'reports no valid frame rate (avg_fps={fps!r}), which '
                f'{needed_by} needs')
        return fps

    def _starts(self, total_frames: int, span: int,
                results: dict) -> np.ndarray:
        """Window starts, (num_clips,) int64; ``results`` is the pipeline dict
        (for samplers that read more than the frame count)."""
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        total_frames = int(results['total_frames'])
        if total_frames < 1:
            raise VideoReadError(
                results.get('filename', '<unknown>'),
                f'has no frames (total_frames={total_frames})')
        span = self._span(results)
        starts = self._starts(total_frames, span, results)  # (num_clips,)
        # (num_clips, 1) + (1, clip_len) -> (num_clips, clip_len)
        frame_inds = starts[:, None] + offsets_in_window(
            span, self.clip_len)[None, :]
        frame_inds = fit_to_video(frame_inds, total_frames, self.short_video)
        results['frame_inds'] = frame_inds.reshape(-1) + results.get(
            'start_index', 0)
        results['clip_len'] = self.clip_len
        results['frame_interval'] = (
            self.stride if self.window_seconds is None else span /
            self.clip_len)
        results['num_clips'] = len(starts)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(window={self.window}, '
                f'stride={self.stride}, '
                f'window_seconds={self.window_seconds}, '
                f'short_video={self.short_video!r}'
                f'{self._extra_repr()})')

    def _extra_repr(self) -> str:
        return ''


@TRANSFORMS.register_module()
class RandomWindowSample(WindowSampleBase):
    """Training sampler: one window at a uniformly random start
    (``np.random``).

    Args: see :class:`WindowSampleBase`.
    """

    def _starts(self, total_frames: int, span: int,
                results: dict) -> np.ndarray:
        return np.array([random_start(total_frames, span)], dtype=np.int64)


@TRANSFORMS.register_module()
class EvenWindowSample(WindowSampleBase):
    """Test sampler: ``num_clips`` windows evenly spaced over the video,
    deterministic.

    The first window starts at frame 0, the last ends at the last frame; one
    clip is centred.

    Args:
        num_clips (int): Windows per video (paper: 10). Default 10.
        **kwargs: ``window``, ``stride``, ``window_seconds``, ``short_video``
        of
            :class:`WindowSampleBase`.
    """

    def __init__(self, num_clips: int = 10, **kwargs):
        super().__init__(**kwargs)
        _positive_int('num_clips', num_clips)
        self.num_clips = num_clips

    def _starts(self, total_frames: int, span: int,
                results: dict) -> np.ndarray:
        return even_starts(total_frames, span, self.num_clips)

    def _extra_repr(self) -> str:
        return f', num_clips={self.num_clips}'


@TRANSFORMS.register_module()
class SlidingWindowSample(WindowSampleBase):
    """Untrimmed-video sampler: windows every ``step`` frames (or
    ``step_seconds`` seconds at the video's frame rate) from the first frame,
    for per-window features.

    Window starts are ``0, step, 2 * step, ...`` while the window fits in the
    video (``start + span <= total_frames``), so the last ``< step`` frames
    may be left out; a video shorter than one window gives one window, filled
    as ``short_video`` says.

    Args:
        step (int): Frames between window starts, used when ``step_seconds``
            is None. Default: ``window`` (back-to-back windows).
        step_seconds (float, optional): Seconds between window starts
            (``round(step_seconds * avg_fps)`` frames, at least 1).
        **kwargs: ``window``, ``stride``, ``window_seconds``, ``short_video``
            of :class:`WindowSampleBase`.
    """

    def __init__(self,
                 step: Optional[int] = None,
                 step_seconds: Optional[float] = None,
                 **kwargs):
        super().__init__(**kwargs)
        if step is not None:
            _positive_int('step', step)
        _optional_positive_number('step_seconds', step_seconds)
        if step is not None and step_seconds is not None:
            raise ValueError('give step or step_seconds, not both (got '
                             f'step={step}, step_seconds={step_seconds})')
        self.step = self.window if step is None else step
        self.step_seconds = step_seconds

    def _starts(self, total_frames: int, span: int,
                results: dict) -> np.ndarray:
        step = self.step if self.step_seconds is None else window_span(
            self.step, self.step_seconds, self._fps(results, 'step_seconds'))
        return sliding_starts(total_frames, span, step)

    def _extra_repr(self) -> str:
        return f', step={self.step}, step_seconds={self.step_seconds}'
