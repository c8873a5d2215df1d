"""Helpers of the pipeline tests: videos whose frames the test knows
exactly."""
import os.path as osp

import numpy as np
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope

from nl_plugin.action.datasets.synthetic_videos import write_mp4
from project_paths import ROOT as REPO

DATASET_CONFIGS = osp.join(REPO, 'configs', '_base_', 'datasets')
BAND_FACTORS = (7, 13, 29, 3)


def index_frames(num_frames: int,
                 height: int = 64,
                 width: int = 96) -> np.ndarray:
    """Frames whose four horizontal bands have grey levels set by the frame
    index.

    Large flat areas survive the codec almost exactly, and any two frames
    differ by at least ~3 grey levels in some band, so the nearest written
    frame identifies the index.

    Returns:
        np.ndarray: (T, H, W, 3) uint8.
    """
    frames = np.zeros((num_frames, height, width, 3), np.uint8)
    band = height // len(BAND_FACTORS)
    for t in range(num_frames):
        for k, factor in enumerate(BAND_FACTORS):
            frames[t,
                   k * band:(k + 1) * band] = 20 + (t * factor + 40 * k) % 216
    return frames


def write_index_video(path: str,
                      num_frames: int,
                      fps: float = 25.0,
                      height: int = 64,
                      width: int = 96) -> np.ndarray:
    """Writes :func:`index_frames` as mp4; returns the written (T, H, W, 3)
    frames."""
    frames = index_frames(num_frames, height, width)
    write_mp4(path, frames, fps)
    return frames


def nearest_written(decoded: np.ndarray, written: np.ndarray) -> int:
    """Index of the written frame closest (mean abs difference) to a decoded
    one."""
    diff = np.abs(written.astype(np.int16) - decoded[None].astype(np.int16))
    return int(diff.reshape(len(written), -1).mean(axis=1).argmin())


def dataset_config(name: str) -> Config:
    return Config.fromfile(osp.join(DATASET_CONFIGS, f'{name}.py'))


def build_pipeline(pipeline_cfg) -> Compose:
    """Builds a pipeline config as MMAction2's dataset would (mmaction
    scope)."""
    init_default_scope('mmaction')
    return Compose([dict(step) for step in pipeline_cfg])


def video_results(path: str, label: int = 0) -> dict:
    """The result dict MMAction2's VideoDataset hands to the pipeline."""
    return dict(filename=path, label=label, start_index=0, modality='RGB')
