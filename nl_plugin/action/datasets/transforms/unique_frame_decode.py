"""Decodes the sampled frames with decord, each distinct frame once."""
import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..video_errors import VideoReadError


@TRANSFORMS.register_module()
class DecordUniqueDecode(BaseTransform):
    """Decodes ``frame_inds`` with one sorted, duplicate-free decord batch
    read.

    Overlapping test windows of a short video (or looped / padded clips) repeat
    frame indices; MMAction2's ``DecordDecode`` asks decord for every repeat,
    which seeks back and decodes again. This transform decodes each distinct
    index once, in increasing order, and hands out copies in the order of
    ``frame_inds``. A decoding failure, or fewer frames than asked for, raises
    :class:`VideoReadError` naming the file; no frame is ever filled in.

    Required keys: ``video_reader``, ``frame_inds``, ``filename`` (for
    messages). Added keys: ``imgs`` (list of (H, W, 3) uint8 RGB arrays, one
    per index), ``original_shape``, ``img_shape``. ``video_reader`` is released
    (set to None).
    """

    def transform(self, results: dict) -> dict:
        filename = results.get('filename', '<unknown>')
        reader = results['video_reader']
        results['video_reader'] = None
        frame_inds = np.asarray(results['frame_inds']).reshape(
            -1)  # (num_clips * clip_len,)
        if frame_inds.size == 0:
            raise ValueError(f'no frame indices to decode for {filename!r}')
        unique, inverse = np.unique(
            frame_inds, return_inverse=True)  # (U,), (F,)
        _check_range(filename, unique, len(reader))
        frames = _decode(filename, reader, unique)  # (U, H, W, 3)
        if len(unique) == len(frame_inds) and np.array_equal(
                unique, frame_inds):
            imgs = list(
                frames
            )  # already sorted and distinct: views of distinct frames
        else:
            imgs = list(
                frames[inverse])  # (F, H, W, 3): a copy, so no two items alias
        results['imgs'] = imgs
        results['original_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results


def _check_range(filename: str, unique: np.ndarray, total_frames: int) -> None:
    if unique[0] < 0 or unique[-1] >= total_frames:
        raise ValueError(
            f'frame indices [{unique[0]}, {unique[-1]}] fall outside the '
            f'{total_frames} frames of {filename!r}; use a sampler that keeps '
            'them inside '
            '(e.g. RandomWindowSample / EvenWindowSample with '
            'short_video=loop or pad)')


def _decode(filename: str, reader, unique: np.ndarray) -> np.ndarray:
    """Decodes the sorted distinct indices; (U,) -> (U, H, W, 3) uint8."""
    try:
        frames = reader.get_batch(unique.tolist()).asnumpy()
    except Exception as err:  # decord raises RuntimeError or its DECORDError
        message = str(err).strip().splitlines()
        raise VideoReadError(
            filename,
            f'decoding frames {unique[0]}..{unique[-1]} failed (truncated or '
            f'corrupt stream): {type(err).__name__}: '
            f'{message[0] if message else ""}') from err
    if frames.ndim != 4 or frames.shape[0] != len(unique):
        raise VideoReadError(
            filename, f'decord returned {frames.shape[0]} frames for '
            f'{len(unique)} requested indices')
    return frames
