"""Recognition heads: the official Kinetics models' fully convolutional
head."""
from .fully_conv_head import FullyConvHead

__all__ = ['FullyConvHead']
