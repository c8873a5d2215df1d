"""Multi-label targets of a training clip: the actions in its window."""
from typing import Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .window_sample import is_valid_fps


def actions_in_window(actions: Sequence, start: float, end: float,
                      num_classes: int) -> torch.Tensor:
    """Multi-hot labels of the actions whose interval overlaps a window.

    An action ``(label, a, b)`` (seconds) overlaps the window ``[start, end)``
    when ``a < end`` and ``b > start``; one that only touches it at an end
    does not.

    Args:
        actions (Sequence): ``(label, start_s, end_s)`` triples.
        start (float): Window start in seconds.
        end (float): Window end in seconds.
        num_classes (int): Length of the label vector.

    Returns:
        torch.Tensor: (num_classes,) float32 of 0 / 1.
    """
    labels = torch.zeros(num_classes, dtype=torch.float32)
    for label, action_start, action_end in actions:
        if action_start < end and action_end > start:
            labels[int(label)] = 1.0
    return labels


@TRANSFORMS.register_module()
class WindowActionLabels(BaseTransform):
    """Labels a training clip with the actions its sampled window overlaps.

    The window runs from the first to the last sampled frame, inclusive: in
    seconds, ``[min(i) / fps, (max(i) + 1) / fps)`` with ``i`` the sampled
    indices counted from the video's first frame (``frame_inds -
    start_index``). A clip looped around the end of a short video covers the
    whole video. Place it after the sampler (``RandomWindowSample``,
    ``SampleFrames``, ...).

    Required keys: ``actions`` (``(label, start_s, end_s)`` triples, from
    ``CharadesDataset``), ``frame_inds``, ``avg_fps``, ``start_index``
    (default 0), ``label`` (the video's multi-hot labels; their length is the
    number of classes). Modified keys: ``label``.
    """

    def transform(self, results: dict) -> dict:
        fps = results.get('avg_fps')
        if not is_valid_fps(fps):
            raise ValueError(
                'WindowActionLabels needs the frame rate (avg_fps) to place '
                f'the window in seconds, got {fps!r} for '
                f'{results.get("filename", results.get("frame_dir"))!r}')
        if 'frame_inds' not in results:
            raise KeyError('WindowActionLabels needs frame_inds: place it '
                           'after the clip sampler')
        inds = np.asarray(results['frame_inds']) - results.get(
            'start_index', 0)  # (num_clips * clip_len,)
        results['label'] = actions_in_window(results['actions'],
                                             inds.min() / fps,
                                             (inds.max() + 1) / fps,
                                             len(results['label']))
        return results
