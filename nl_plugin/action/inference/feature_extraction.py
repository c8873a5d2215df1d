"""Per-video backbone features: sliding windows over untrimmed videos, or one
vector from a config's test views."""
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmaction.datasets.transforms import SampleFrames
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import TRANSFORMS, init_default_scope

from ..datasets.transforms import SlidingWindowSample, WindowSampleBase
from .feature_pooling import check_pool, pool_clips, pool_crops, pool_views
from .video_scores import reading, video_results

MODES = ('windows', 'video')


def _window_geometry(sampler) -> dict:
    """``window`` / ``stride`` / ``out_of_bound_opt`` / ``target_fps`` of a
    config's test sampler."""
    if isinstance(sampler, WindowSampleBase):
        window, stride = sampler.window, sampler.stride
    elif isinstance(sampler, SampleFrames):
        window = sampler.clip_len * sampler.frame_interval
        stride = sampler.frame_interval
    else:
        raise ValueError(
            f'the test pipeline samples clips with {type(sampler).__name__}; '
            'feature extraction knows the window samplers of nl_plugin and '
            "MMAction2's SampleFrames")
    return dict(
        window=window,
        stride=stride,
        out_of_bound_opt=sampler.out_of_bound_opt,
        target_fps=sampler.target_fps)


def split_test_pipeline(pipeline_cfg) -> Tuple[Compose, object, Compose]:
    """``(steps before the sampler, the sampler, steps after it)``."""
    steps = [TRANSFORMS.build(dict(step)) for step in pipeline_cfg]
    index = next((i for i, step in enumerate(steps)
                  if isinstance(step, (WindowSampleBase, SampleFrames))), None)
    if index is None:
        raise ValueError('the test pipeline has no clip sampler '
                         '(EvenWindowSample, SampleFrames, ...)')
    return Compose(steps[:index]), steps[index], Compose(steps[index + 1:])


class FeatureExtractor:
    """Backbone features of whole videos through a recognizer's test pipeline.

    ``mode='windows'``: windows of the config's test clip (same frames per
    window, same frame stride) every ``step`` frames or ``step_seconds``
    seconds; features ``(num_windows, C)``, one row per window in time order.
    ``mode='video'``: the config's test views (e.g. 10 clips x crops);
    features ``(C,)``. Each view's backbone map ``(C, T, H, W)`` is pooled
    over space (``spatial``) and then time (``temporal``); the crops of a clip
    are pooled with ``spatial``, the clips of a video (video mode) with
    ``temporal``.

    Args:
        model (nn.Module): A recognizer in eval mode with ``model.cfg``.
        mode (str): ``'windows'`` (default) or ``'video'``.
        spatial (str): ``'avg'`` (default) or ``'max'``.
        temporal (str): ``'avg'`` (default) or ``'max'``.
        step (int, optional): Frames between windows (default: one window).
        step_seconds (float, optional): Seconds between windows.
        windows_per_batch (int): Windows decoded and run at once (memory).
    """

    def __init__(self,
                 model: nn.Module,
                 mode: str = 'windows',
                 spatial: str = 'avg',
                 temporal: str = 'avg',
                 step: Optional[int] = None,
                 step_seconds: Optional[float] = None,
                 windows_per_batch: int = 8):
        if mode not in MODES:
            raise ValueError(
                f'mode must be one of {list(MODES)}, got {mode!r}')
        check_pool('spatial', spatial)
        check_pool('temporal', temporal)
        if isinstance(windows_per_batch, bool) or not isinstance(
                windows_per_batch, int) or windows_per_batch < 1:
            raise ValueError('windows_per_batch must be a positive int, got '
                             f'{windows_per_batch!r}')
        if mode == 'video' and (step is not None or step_seconds is not None):
            raise ValueError('step / step_seconds set the sliding windows: '
                             "use them with mode='windows'")
        init_default_scope(model.cfg.get('default_scope', 'mmaction'))
        self.model = model
        self.mode = mode
        self.spatial = spatial
        self.temporal = temporal
        self.windows_per_batch = windows_per_batch
        self.load, sampler, self.rest = split_test_pipeline(
            model.cfg.test_dataloader.dataset.pipeline)
        self.geometry = _window_geometry(sampler)
        self.sampler = sampler if mode == 'video' else SlidingWindowSample(
            step=step, step_seconds=step_seconds, **self.geometry)

    def settings(self) -> dict:
        """What determines the features (recorded in the manifest)."""
        out = dict(
            mode=self.mode,
            spatial=self.spatial,
            temporal=self.temporal,
            **self.geometry)
        if self.mode == 'windows':
            out.update(
                step=self.sampler.step, step_seconds=self.sampler.step_seconds)
        return out

    def sample(self, path: str) -> dict:
        """Opens a video and samples its clips.

        Raises:
            VideoReadError: the video cannot be read.
        """
        with reading(path):
            return self.sampler(self.load(video_results(path)))

    def extract(self, sampled: dict) -> Tuple[np.ndarray, dict]:
        """Features of a sampled video and what they cover.

        Raises:
            VideoReadError: frames cannot be decoded.

        Returns:
            tuple: float32 features (``(num_windows, C)`` or ``(C,)``) and a
            dict with ``total_frames``, ``fps`` and the first frame of each
            window or clip (``clip_starts``).
        """
        clip_len = sampled['clip_len']
        frame_inds = np.asarray(sampled['frame_inds']).reshape(-1, clip_len)
        per_batch = (
            len(frame_inds)
            if self.mode == 'video' else self.windows_per_batch)
        clips = torch.cat([
            self._clip_features(sampled, frame_inds[i:i + per_batch])
            for i in range(0, len(frame_inds), per_batch)
        ])  # (num_clips, C)
        feats = clips if self.mode == 'windows' else pool_clips(
            clips, self.temporal)
        info = dict(
            total_frames=int(sampled['total_frames']),
            fps=float(sampled.get('avg_fps') or 0.0),
            clip_starts=frame_inds[:, 0].tolist())
        return feats.numpy().astype(np.float32), info

    def _clip_features(self, sampled: dict,
                       frame_inds: np.ndarray) -> torch.Tensor:
        """``(clips, clip_len)`` frame indices -> ``(clips, C)`` features."""
        results = dict(
            sampled,
            frame_inds=frame_inds.reshape(-1),
            num_clips=len(frame_inds))
        with reading(sampled['filename']):
            data = self.rest(results)
        with torch.no_grad():
            inputs = self.model.data_preprocessor(
                pseudo_collate([data]), training=False)['inputs']
            feats, _ = self.model.extract_feat(inputs, stage='backbone')
        if not isinstance(feats, torch.Tensor):
            raise ValueError('the backbone returns '
                             f'{type(feats).__name__}, not one feature map')
        views = pool_views(feats.float(), self.spatial,
                           self.temporal)  # (V, C)
        return pool_crops(views, len(frame_inds), self.spatial).cpu()
