"""nl_plugin for MMAction2: NL-ResNet3d backbones, the official models' head,
clip samplers, video data and clip/video-level metrics, registered in
``mmaction.registry``; the converter of the authors' released models.

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
from .heads import FullyConvHead

__all__ = [
    'NLResNet3d', 'CheckedDecordInit', 'DecordUniqueDecode',
    'EvenWindowSample', 'RandomWindowSample', 'RobustVideoDataset',
    'VideoReadError', 'ClipVideoAccuracy', 'FullyConvHead'
]
