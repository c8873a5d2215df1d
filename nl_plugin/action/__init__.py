"""nl_plugin for MMAction2: NL-ResNet3d backbones, heads (video-level
scores, the official models' head, a multi-label head), clip samplers, video
data (Charades too), clip/video-level accuracy and Charades mAP, registered in
``mmaction.registry``; the converter of the authors' released models;
video-level inference, features and export in
:mod:`nl_plugin.action.inference`.

Configs: ``custom_imports = dict(imports=['nl_plugin.action'],
allow_failed_imports=False)``. Never imports mmdet; runs on ``mmcv-lite``.
"""
# isort: off
from ..compat import installed  # noqa: F401  first: fixes before mmaction
# isort: on
from .. import blocks  # noqa: F401  root-registered NL blocks
from ..engine import atomic_checkpoint  # noqa: F401  AtomicCheckpointHook
from .backbones import NLResNet3d
from .datasets import (CharadesDataset, CheckedDecordInit, DecordUniqueDecode,
                       EvenWindowSample, RandomWindowSample,
                       RobustVideoDataset, SlidingWindowSample, VideoReadError,
                       WindowActionLabels)
from .evaluation import CharadesMeanAP, ClipVideoAccuracy
from .heads import FullyConvHead, MultiLabelI3DHead, VideoLevelI3DHead
from .hooks import SkippedVideosHook

__all__ = [
    'NLResNet3d', 'CheckedDecordInit', 'DecordUniqueDecode',
    'EvenWindowSample', 'RandomWindowSample', 'RobustVideoDataset',
    'VideoReadError', 'ClipVideoAccuracy', 'SkippedVideosHook',
    'CharadesDataset', 'WindowActionLabels', 'CharadesMeanAP',
    'MultiLabelI3DHead', 'FullyConvHead', 'VideoLevelI3DHead',
    'SlidingWindowSample'
]
