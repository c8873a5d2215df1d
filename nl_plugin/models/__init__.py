"""Models: non-local blocks and NL-ResNet backbones."""
from .backbones import NLResNet, NLResNet3d
from .blocks import (NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d,
                     NonLocalBlockNd)

__all__ = ['NonLocalBlockNd', 'NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d',
           'NLResNet3d', 'NLResNet']
