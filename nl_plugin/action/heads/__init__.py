"""Recognition heads: the official Kinetics models' fully convolutional
head; the multi-label I3D head of the Charades models."""
from .fully_conv_head import FullyConvHead
from .multi_label_i3d_head import MultiLabelI3DHead

__all__ = ['FullyConvHead', 'MultiLabelI3DHead']
