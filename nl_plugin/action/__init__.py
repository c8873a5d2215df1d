"""nl_plugin for MMAction2: NL-ResNet3d backbones, a video-level head, clip
samplers, video data and clip/video-level metrics, registered in
``mmaction.registry``; video-level inference, features and export in
:mod:`nl_plugin.action.inference`.

Configs: ``custom_imports = dict(imports=['nl_plugin.action'],
allow_failed_imports=False)``. Never imports mmdet; runs on ``mmcv-lite``.
"""
# isort: off
from ..compat import installed  # noqa: F401  first: fixes before mmaction
# isort: on
from .. import blocks  # noqa: F401  root-registered NL blocks
from .backbones import NLResNet3d
from .datasets import (CheckedDecordInit, DecordUniqueDecode, EvenWindowSample,
                       RandomWindowSample, RobustVideoDataset, VideoReadError)
from .evaluation import ClipVideoAccuracy
from .heads import VideoLevelI3DHead

__all__ = [
    'NLResNet3d', 'CheckedDecordInit', 'DecordUniqueDecode',
    'EvenWindowSample', 'RandomWindowSample', 'RobustVideoDataset',
    'VideoReadError', 'ClipVideoAccuracy', 'VideoLevelI3DHead'
]
