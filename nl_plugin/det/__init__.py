"""nl_plugin for MMDetection: NLResNet and NLResNeXt (one NL block before the
last block of res4) and Keypoint R-CNN with NL blocks in its head, registered
in ``mmdet.registry``.

Configs: ``custom_imports = dict(imports=['nl_plugin.det'],
allow_failed_imports=False)``. Needs mmcv compiled with its ops.
"""
# isort: off
from ..compat import installed  # noqa: F401  first: fixes before mmdet
# isort: on
from .. import blocks  # noqa: F401  root-registered NL blocks
from ..engine import atomic_checkpoint  # noqa: F401  AtomicCheckpointHook
from .backbones import NLResNet, NLResNeXt
from .keypoint_rcnn import (CocoKeypointDataset, CocoKeypointMetric,
                            KeypointRoIHead, LoadKeypoints, NLKeypointHead,
                            PackDetKeypointInputs)

__all__ = [
    'NLResNet', 'NLResNeXt', 'NLKeypointHead', 'KeypointRoIHead',
    'CocoKeypointDataset', 'LoadKeypoints', 'PackDetKeypointInputs',
    'CocoKeypointMetric'
]
