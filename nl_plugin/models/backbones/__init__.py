"""NL-ResNet backbones for MMAction2 (3D) and MMDetection (2D)."""
from .inflation import InflationReport, inflate_from_2d
from .nl_resnet import NLResNet
from .nl_resnet3d import NLResNet3d
from .placement import NAMED_LAYOUTS, non_local_flags

__all__ = ['NLResNet3d', 'NLResNet', 'inflate_from_2d', 'InflationReport',
           'non_local_flags', 'NAMED_LAYOUTS']
