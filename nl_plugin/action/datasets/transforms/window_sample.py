"""Window clip samplers of the paper, as MMAction2 ``SampleFrames`` settings.

Training (paper, Sec. 4.1): a random run of ``window=64`` consecutive frames,
keeping every ``stride=2``-nd frame, gives a 32-frame clip; the 128-frame mode
keeps all of 128 consecutive frames (``window=128, stride=1``). Testing (paper,
Inference): ``num_clips=10`` windows evenly spaced in time.

Both are ``SampleFrames`` with ``clip_len = window // stride`` and
``frame_interval = stride``; the index arithmetic is upstream's: its train mode
draws one start uniformly from ``[0, total_frames - window]``, its test mode
spreads the windows from the first frame to the last, its
``out_of_bound_opt`` keeps short videos inside the video and its
``target_fps`` makes the window frame-rate aware. What these classes add: the
paper's vocabulary, arguments checked when the pipeline is built, and a
:class:`VideoReadError` naming the file for a video with no frames or, with
``target_fps``, no frame rate (upstream divides by zero, or silently ignores
``target_fps``).
"""
import math
from numbers import Real
from typing import Optional

import numpy as np
from mmaction.datasets.transforms import SampleFrames
from mmaction.registry import TRANSFORMS

from ..video_errors import VideoReadError

OUT_OF_BOUND_OPTS = ('loop', 'repeat_last')

SPACINGS = ('fit', 'wrap')


def _positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'{name} must be a positive int, got {value!r}')


class WindowSampleBase(SampleFrames):
    """``SampleFrames`` whose clip is ``window // stride`` frames of a window.

    Required keys: ``total_frames``, ``start_index``; ``avg_fps`` with
    ``target_fps``; ``filename`` (for error messages). Added keys:
    ``frame_inds`` ((num_clips * clip_len,) int32), ``clip_len``,
    ``frame_interval``, ``num_clips``.

    Args:
        window (int): Consecutive frames one clip is taken from. Default 64.
        stride (int): Keep every ``stride``-th frame of the window; ``window``
            must be a multiple of it. Default 2.
        num_clips (int): Windows per video.
        test_mode (bool): Upstream's evenly spaced, deterministic test windows
            (True) or one random window (False).
        out_of_bound_opt (str): Videos shorter than the window: ``'loop'``
            (default, as the official code) wraps around to the first frame,
            ``'repeat_last'`` repeats the clip's last frame inside the video.
        target_fps (float, optional): Frame-rate-aware mode (upstream's): the
            window spans ``window / target_fps`` seconds at the video's
            ``avg_fps`` and the clip's frames are spread evenly over it.
            ``None`` (default) counts the window in frames, as the paper does.
    """

    def __init__(self,
                 window: int = 64,
                 stride: int = 2,
                 num_clips: int = 1,
                 test_mode: bool = False,
                 out_of_bound_opt: str = 'loop',
                 target_fps: Optional[float] = None):
        _positive_int('window', window)
        _positive_int('stride', stride)
        _positive_int('num_clips', num_clips)
        if window % stride != 0:
            raise ValueError(
                f'window must be a multiple of stride, got window={window}, '
                f'stride={stride}')
        if out_of_bound_opt not in OUT_OF_BOUND_OPTS:
            raise ValueError(
                f'out_of_bound_opt must be one of {list(OUT_OF_BOUND_OPTS)}, '
                f'got {out_of_bound_opt!r}')
        if target_fps is not None and not is_valid_fps(target_fps):
            raise ValueError('target_fps must be None or a positive number, '
                             f'got {target_fps!r}')
        super().__init__(
            clip_len=window // stride,
            frame_interval=stride,
            num_clips=num_clips,
            test_mode=test_mode,
            out_of_bound_opt=out_of_bound_opt,
            target_fps=target_fps)
        self.window = window
        self.stride = stride

    def transform(self, results: dict) -> dict:
        """Checks the video's frame count (and frame rate), then samples."""
        filename = results.get('filename', '<unknown>')
        total_frames = int(results['total_frames'])
        if total_frames < 1:
            raise VideoReadError(
                filename, f'has no frames (total_frames={total_frames})')
        if self.target_fps is not None:
            video_fps(results, 'target_fps')
        return super().transform(results)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(window={self.window}, '
                f'stride={self.stride}, num_clips={self.num_clips}, '
                f'test_mode={self.test_mode}, '
                f'out_of_bound_opt={self.out_of_bound_opt!r}, '
                f'target_fps={self.target_fps})')


@TRANSFORMS.register_module()
class RandomWindowSample(WindowSampleBase):
    """Training sampler: one window at a uniformly random start
    (``np.random``).

    Args:
        window (int): Consecutive frames of the window. Default 64.
        stride (int): Keep every ``stride``-th frame. Default 2.
        **kwargs: ``out_of_bound_opt``, ``target_fps`` of
            :class:`WindowSampleBase`.
    """

    def __init__(self, window: int = 64, stride: int = 2, **kwargs):
        super().__init__(
            window, stride, num_clips=1, test_mode=False, **kwargs)


@TRANSFORMS.register_module()
class EvenWindowSample(WindowSampleBase):
    """Test sampler: ``num_clips`` windows spread over the video,
    deterministic (upstream's test mode).

    Args:
        num_clips (int): Windows per video (paper: 10). Default 10.
        window (int): Consecutive frames of a window. Default 64.
        stride (int): Keep every ``stride``-th frame. Default 2.
        spacing (str): ``'fit'`` (default, upstream's test windows): the first
            window starts at frame 0 and the last one ends at the last frame
            (with ``target_fps``, upstream rounds the spacing down); one clip
            is centred. ``'wrap'``: the official code's test clips, window
            ``k`` starting at ``int(k * total_frames / num_clips)``, so that
            the later windows run past the end and wrap around to the first
            frames (needs ``out_of_bound_opt='loop'``).
        **kwargs: ``out_of_bound_opt``, ``target_fps`` of
            :class:`WindowSampleBase`.
    """

    def __init__(self,
                 num_clips: int = 10,
                 window: int = 64,
                 stride: int = 2,
                 spacing: str = 'fit',
                 **kwargs):
        super().__init__(window, stride, num_clips, test_mode=True, **kwargs)
        if spacing not in SPACINGS:
            raise ValueError(f'spacing must be one of {list(SPACINGS)}, got '
                             f'{spacing!r}')
        if spacing == 'wrap' and self.out_of_bound_opt != 'loop':
            raise ValueError(
                "spacing='wrap' wraps frame indices around the video end: it "
                "needs out_of_bound_opt='loop', got "
                f'{self.out_of_bound_opt!r}')
        self.spacing = spacing

    def _get_test_clips(self, num_frames: int,
                        ori_clip_len: float) -> np.ndarray:
        if self.spacing == 'wrap':
            return spread_starts(num_frames, self.num_clips)
        return super()._get_test_clips(num_frames, ori_clip_len)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', spacing={self.spacing!r})'


@TRANSFORMS.register_module()
class SlidingWindowSample(WindowSampleBase):
    """Untrimmed-video sampler: windows every ``step`` frames (or
    ``step_seconds`` seconds at the video's frame rate) from the first frame,
    for per-window features.

    Window starts are ``0, step, 2 * step, ...`` while the window fits in the
    video (``start + window <= total_frames``), so the last ``< step`` frames
    may be left out; a video shorter than one window gives one window, filled
    as ``out_of_bound_opt`` says. ``num_clips`` of the results is the number
    of windows.

    Args:
        window (int): Consecutive frames of a window. Default 64.
        stride (int): Keep every ``stride``-th frame. Default 2.
        step (int, optional): Frames between window starts, used when
            ``step_seconds`` is None. Default: ``window`` (back-to-back).
        step_seconds (float, optional): Seconds between window starts
            (``round(step_seconds * avg_fps)`` frames, at least 1).
        **kwargs: ``out_of_bound_opt``, ``target_fps`` of
            :class:`WindowSampleBase`.
    """

    def __init__(self,
                 window: int = 64,
                 stride: int = 2,
                 step: Optional[int] = None,
                 step_seconds: Optional[float] = None,
                 **kwargs):
        super().__init__(window, stride, 1, test_mode=True, **kwargs)
        if step is not None:
            _positive_int('step', step)
        if step_seconds is not None and not is_valid_fps(step_seconds):
            raise ValueError('step_seconds must be None or a positive number, '
                             f'got {step_seconds!r}')
        if step is not None and step_seconds is not None:
            raise ValueError('give step or step_seconds, not both (got '
                             f'step={step}, step_seconds={step_seconds})')
        self.step = window if step is None else step
        self.step_seconds = step_seconds
        self._step_frames = self.step

    def transform(self, results: dict) -> dict:
        if self.step_seconds is not None:
            fps = video_fps(results, 'step_seconds')
            self._step_frames = max(1, int(round(self.step_seconds * fps)))
        results = super().transform(results)
        results['num_clips'] = len(results['frame_inds']) // self.clip_len
        return results

    def _sample_clips(self, num_frames: int,
                      ori_clip_len: float) -> np.ndarray:
        span = self.window if self.target_fps is None else int(
            np.ceil(ori_clip_len))
        return np.arange(0, max(num_frames - span, 0) + 1, self._step_frames)

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + (
            f', step={self.step}, step_seconds={self.step_seconds})')


def video_fps(results: dict, needed_by: str) -> float:
    """The video's ``avg_fps``; a :class:`VideoReadError` naming the file if
    it is not a valid frame rate (``needed_by`` names the option)."""
    fps = results.get('avg_fps')
    if not is_valid_fps(fps):
        raise VideoReadError(
            results.get('filename', '<unknown>'),
            f'reports no valid frame rate (avg_fps={fps!r}), which '
            f'{needed_by} needs')
    return fps


def spread_starts(total_frames: int, num_clips: int) -> np.ndarray:
    """Starts of the official code's test clips: ``k * total_frames /
    num_clips``.

    ``start_k = int(float32(total_frames / num_clips) * k) % total_frames``,
    in float32 as the official decoder computes it: the starts spread over the
    whole video, so the last windows run past its end and wrap around
    (``out_of_bound_opt='loop'``).

    Returns:
        np.ndarray: (num_clips,) int64.
    """
    gap = np.float32(total_frames) / np.float32(num_clips)
    starts = np.arange(num_clips, dtype=np.float32) * gap  # float32 products
    return starts.astype(np.int64) % total_frames


def is_valid_fps(fps) -> bool:
    """True for a finite, positive number (not a bool)."""
    return (isinstance(fps, Real) and not isinstance(fps, bool)
            and math.isfinite(fps) and fps > 0)
