"""NL-ResNet3d (C2D / I3D with non-local blocks) and 2D->3D inflation."""
from .inflation import InflationReport, inflate_from_2d
from .nl_resnet3d import NLResNet3d

__all__ = ['NLResNet3d', 'inflate_from_2d', 'InflationReport']
