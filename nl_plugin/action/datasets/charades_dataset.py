"""Charades (Sigurdsson et al., 2016) multi-label video classification, read
from the official release."""
import logging
import os
import os.path as osp
from typing import Callable, List, Optional, Sequence, Union

from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS
from mmengine.logging import print_log

from .charades_annotations import (AnnotationProblem, CharadesVideo,
                                   read_charades_csv, read_classes)
from .skip_unreadable import SkipUnreadableMixin
from .transforms import WindowActionLabels

MEDIA = {'img': 'frames', 'video': 'videos'}
_LOGGED_PROBLEMS = 20  # individual warnings; the rest are counted


@DATASETS.register_module()
class CharadesDataset(SkipUnreadableMixin, BaseActionDataset):
    """Charades from ``Charades_v1_{train,test}.csv`` and its frames or videos.

    Media: ``data_prefix=dict(img=...)`` reads the RGB frame folders of the
    release (``Charades_v1_rgb/{id}/{id}-000001.jpg`` ..., 24 fps,
    ``filename_tmpl``, ``frame_rate``; MMAction2's ``RawFrameDecode``);
    ``data_prefix=dict(video=...)`` the videos (``Charades_v1_480/{id}.mp4``;
    ``CheckedDecordInit``).

    Labels: multi-hot over the classes of ``classes_file``. In test mode, every
    action of the video (the video-level labels Charades is evaluated on). In
    training, the pipeline must hold :class:`WindowActionLabels` after its
    sampler: a clip is labelled with the actions whose interval overlaps the
    sampled window (a ValueError says so otherwise).

    Malformed CSV rows and videos whose media are missing are skipped, each
    reported as a warning with its CSV line (the first 20, then counted), and
    counted: ``num_malformed``, ``num_missing``; ``problems`` lists them all.
    A video with an empty ``actions`` field is kept: a negative of every
    class. ``skip_unreadable`` (training only) skips videos decord cannot read
    at run time, see :class:`SkipUnreadableMixin`.

    Args:
        ann_file (str): ``Charades_v1_train.csv`` or ``Charades_v1_test.csv``.
        pipeline (list): Data transforms.
        classes_file (str): ``Charades_v1_classes.txt``; its order is the
            label order.
        data_prefix (dict): ``dict(img=frames_root)`` or
            ``dict(video=videos_root)``.
        filename_tmpl (str): Frame file name; ``{id}`` is the video id, the
            positional field the frame number. Default ``'{id}-{:06d}.jpg'``.
        frame_rate (float): Frame rate of the frame folders. Default 24.
        start_index (int): Number of the first frame file. Default 1 (the
            release); videos always count from 0.
        video_ext (str): Video file extension. Default ``'.mp4'``.
        test_mode (bool): Video-level labels, no skipping. Default False.
        **kwargs: ``skip_unreadable`` and the arguments of MMAction2's
            ``BaseActionDataset`` / MMEngine's ``BaseDataset``.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: List[Union[dict, Callable]],
                 classes_file: str,
                 data_prefix: Optional[dict] = None,
                 filename_tmpl: str = '{id}-{:06d}.jpg',
                 frame_rate: float = 24.0,
                 start_index: int = 1,
                 video_ext: str = '.mp4',
                 test_mode: bool = False,
                 **kwargs):
        self.media = _media(data_prefix)
        _check_frame_args(filename_tmpl, frame_rate, start_index)
        self.filename_tmpl = filename_tmpl
        self.frame_rate = float(frame_rate)
        self.video_ext = video_ext
        self.problems: List[AnnotationProblem] = []
        self.num_malformed = self.num_missing = 0
        classes = read_classes(classes_file)
        self.class_ids = tuple(c for c, _ in classes)
        kwargs['metainfo'] = dict(
            kwargs.get('metainfo') or {},
            classes=tuple(name for _, name in classes),
            class_ids=self.class_ids)
        super().__init__(
            ann_file,
            pipeline,
            data_prefix=data_prefix,
            test_mode=test_mode,
            multi_class=True,
            num_classes=len(classes),
            start_index=start_index if self.media == 'frames' else 0,
            **kwargs)
        if not test_mode:
            _require_window_labels(self.pipeline.transforms)

    def load_data_list(self) -> List[dict]:
        """The videos of the CSV whose media exist, as data infos."""
        videos, problems = read_charades_csv(self.ann_file, self.class_ids)
        self.num_malformed, self.num_missing = len(problems), 0
        data_list = []
        for video in videos:
            info, reason = self._data_info(video)
            if reason:
                problems.append(AnnotationProblem(video.line, reason))
                self.num_missing += 1
            else:
                data_list.append(info)
        self.problems = sorted(problems)
        self._report(len(data_list))
        return data_list

    def _data_info(self, video: CharadesVideo):
        """``(info, None)``, or ``(None, reason)`` when the media are
        missing."""
        info = dict(
            video_id=video.video_id,
            label=sorted({a.label
                          for a in video.actions}),
            actions=video.actions,
            length=video.length)
        if self.media == 'videos':
            info['filename'] = osp.join(self.data_prefix['video'],
                                        video.video_id + self.video_ext)
            if not osp.isfile(info['filename']):
                return None, f'video {info["filename"]!r} is missing'
            return info, None
        frame_dir = osp.join(self.data_prefix['img'], video.video_id)
        tmpl = self.filename_tmpl.replace('{id}', video.video_id)
        total, reason = _count_frames(frame_dir, tmpl, self.start_index)
        info.update(
            frame_dir=frame_dir,
            filename_tmpl=tmpl,
            total_frames=total,
            avg_fps=self.frame_rate)
        return (None, reason) if reason else (info, None)

    def _report(self, num_videos: int) -> None:
        for problem in self.problems[:_LOGGED_PROBLEMS]:
            print_log(
                f'{self.ann_file} line {problem.line}: {problem.reason}; '
                'skipped',
                logger='current',
                level=logging.WARNING)
        print_log(
            f'{self.ann_file}: {num_videos} videos; skipped '
            f'{self.num_malformed} malformed row(s) and {self.num_missing} '
            f'video(s) with missing media'
            f'{" (all listed in .problems)" if self.problems else ""}',
            logger='current',
            level=logging.WARNING if self.problems else logging.INFO)


def _media(data_prefix: Optional[dict]) -> str:
    keys = sorted(k for k in (data_prefix or {}) if k in MEDIA)
    if len(keys) != 1:
        raise ValueError(
            'data_prefix must name exactly one of img= (frame folders) or '
            f'video= (video files), got {data_prefix!r}')
    return MEDIA[keys[0]]


def _check_frame_args(filename_tmpl: str, frame_rate: float,
                      start_index: int) -> None:
    try:
        filename_tmpl.replace('{id}', 'x').format(1)
    except (IndexError, KeyError, ValueError):
        raise ValueError(
            'filename_tmpl must hold {id} (optional) and one positional '
            f'field for the frame number, got {filename_tmpl!r}') from None
    if isinstance(frame_rate,
                  bool) or not isinstance(frame_rate,
                                          (int, float)) or not frame_rate > 0:
        raise ValueError(
            f'frame_rate must be a positive number, got {frame_rate!r}')
    if isinstance(start_index,
                  bool) or not isinstance(start_index, int) or start_index < 0:
        raise ValueError(
            f'start_index must be a non-negative int, got {start_index!r}')


def _count_frames(frame_dir: str, tmpl: str, start_index: int):
    """``(frames, None)`` for a folder numbered from ``start_index`` without a
    gap at its ends, ``(0, reason)`` otherwise."""
    if not osp.isdir(frame_dir):
        return 0, f'frame folder {frame_dir!r} is missing'
    ext = osp.splitext(tmpl)[1]
    total = sum(1 for name in os.listdir(frame_dir) if name.endswith(ext))
    if total == 0:
        return 0, f'frame folder {frame_dir!r} holds no {ext} frames'
    for index in (start_index, start_index + total - 1):
        if not osp.isfile(osp.join(frame_dir, tmpl.format(index))):
            return 0, (f'frame folder {frame_dir!r} has {total} frames but '
                       f'not {tmpl.format(index)!r}')
    return total, None


def _require_window_labels(transforms: Sequence) -> None:
    if not any(isinstance(t, WindowActionLabels) for t in transforms):
        raise ValueError(
            'a training CharadesDataset labels each clip with the actions of '
            'its sampled window: add dict(type=\'WindowActionLabels\') to '
            'the pipeline after the sampler (or set test_mode=True for '
            'video-level labels)')
