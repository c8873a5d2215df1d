"""Tiny video data sets written by the tests with the project's own
generator."""
import os
import os.path as osp

import cv2
import numpy as np

from nl_plugin.action.datasets.synthetic_videos import (list_file_name,
                                                        make_split,
                                                        video_dir_name)


def make_tiny_synthetic(root: str,
                        num_train: int = 4,
                        num_val: int = 2) -> str:
    """Writes a tiny synthetic data set (the demo's layout) under ``root``."""
    for split, num in (('train', num_train), ('val', num_val)):
        make_split(
            root, split, num, num_classes=2, frame_range=(40, 56), seed=1)
    return root


def dataset_paths(root: str, split: str) -> dict:
    """``ann_file`` and ``data_prefix`` of one split of a tiny synthetic data
    set."""
    return dict(
        ann_file=osp.join(root, list_file_name(split)),
        data_prefix=dict(video=osp.join(root, video_dir_name(split))))


def make_kinetics_layout(synthetic_root: str, root: str) -> str:
    """The layout Kinetics configs expect (``KINETICS400_ROOT``), made of links
    to
    the tiny synthetic videos."""
    os.makedirs(root, exist_ok=True)
    for split in ('train', 'val'):
        os.symlink(
            osp.join(synthetic_root, video_dir_name(split)),
            osp.join(root, f'videos_{split}'))
        os.symlink(
            osp.join(synthetic_root, list_file_name(split)),
            osp.join(root, f'kinetics400_{split}_list_videos.txt'))
    return root


def write_mjpg_avi(path: str, frames: np.ndarray, fps: float) -> None:
    """Writes RGB frames as Motion-JPEG in an AVI container with OpenCV:
    another codec and container than the synthetic set's mp4v / mp4."""
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), fps,
                             (width, height))
    assert writer.isOpened(), f'OpenCV cannot write MJPG to {path}'
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()
