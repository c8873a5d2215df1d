"""Models: non-local blocks, NL-ResNet backbones and NL heads."""
from .backbones import NLResNet, NLResNet3d
from .blocks import (NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d,
                     NonLocalBlockNd)
from .heads import NLKeypointHead

__all__ = ['NonLocalBlockNd', 'NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d',
           'NLResNet3d', 'NLResNet', 'NLKeypointHead']
