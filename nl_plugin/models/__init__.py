"""Models: non-local blocks, NL-ResNet backbones, NL heads and a keypoint RoI head."""
from .backbones import NLResNet, NLResNet3d
from .blocks import (NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d,
                     NonLocalBlockNd)
from .heads import NLKeypointHead
from .roi_heads import KeypointRoIHead

__all__ = ['NonLocalBlockNd', 'NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d',
           'NLResNet3d', 'NLResNet', 'NLKeypointHead', 'KeypointRoIHead']
