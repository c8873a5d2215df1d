"""MMAction2's ``DecordDecode`` that decodes each distinct frame once."""
from typing import List

import numpy as np
from mmaction.datasets.transforms import DecordDecode
from mmaction.registry import TRANSFORMS

from ..video_errors import VideoReadError, failure_reason


class _DecodeFailure(Exception):
    """Raised by the decode step, which does not know the file name."""


@TRANSFORMS.register_module()
class DecordUniqueDecode(DecordDecode):
    """``DecordDecode`` that asks decord for each distinct frame index once.

    Overlapping test windows of a short video (or looped / padded clips)
    repeat frame indices; upstream asks decord for every repeat, which seeks
    back and decodes again. This subclass changes the decode step only: the
    sorted, duplicate-free indices go to upstream's decoder (either ``mode``)
    and the frames are handed out in the order of ``frame_inds``, a repeat as
    a copy (no two items alias, so in-place transforms stay safe). Indices
    outside the video raise ``ValueError``; a decoding failure, or fewer
    frames than asked for, raise :class:`VideoReadError` naming the file; no
    frame is ever filled in.

    Required keys: ``video_reader``, ``frame_inds``, ``filename`` (for
    messages). Added keys: ``imgs`` (list of (H, W, 3) uint8 RGB arrays, one
    per index), ``original_shape``, ``img_shape``. ``video_reader`` is
    released (set to None).

    Args:
        mode (str): Upstream's decoding mode, ``'accurate'`` (default) or
            ``'efficient'``.
    """

    def transform(self, results: dict) -> dict:
        filename = results.get('filename', '<unknown>')
        _check_range(filename, results['frame_inds'],
                     len(results['video_reader']))
        try:
            return super().transform(results)
        except _DecodeFailure as err:
            raise VideoReadError(filename, str(err)) from err

    def _decord_load_frames(self, container,
                            frame_inds: np.ndarray) -> List[np.ndarray]:
        """Decodes each distinct index once; (F,) -> F arrays (H, W, 3)."""
        frame_inds = np.asarray(frame_inds).reshape(-1)  # (F,)
        unique, inverse = np.unique(
            frame_inds, return_inverse=True)  # (U,), (F,)
        try:
            frames = super()._decord_load_frames(container, unique)
        except Exception as err:  # decord raises RuntimeError / DECORDError
            raise _DecodeFailure(
                failure_reason(
                    f'decoding frames {unique[0]}..{unique[-1]} failed '
                    '(truncated or corrupt stream)', err)) from err
        if len(frames) != len(unique):
            raise _DecodeFailure(f'decord returned {len(frames)} frames for '
                                 f'{len(unique)} requested indices')
        handed_out = np.zeros(len(unique), dtype=bool)
        imgs = []
        for i in inverse:  # the first use of a frame is the decoded array
            imgs.append(frames[i].copy() if handed_out[i] else frames[i])
            handed_out[i] = True
        return imgs


def _check_range(filename: str, frame_inds, total_frames: int) -> None:
    inds = np.asarray(frame_inds).reshape(-1)
    if inds.size == 0:
        raise ValueError(f'no frame indices to decode for {filename!r}')
    if inds.min() < 0 or inds.max() >= total_frames:
        raise ValueError(
            f'frame indices [{inds.min()}, {inds.max()}] fall outside the '
            f'{total_frames} frames of {filename!r}; use a sampler that keeps '
            'them inside (e.g. RandomWindowSample / EvenWindowSample, whose '
            'out_of_bound_opt loops or repeats the last frame)')
