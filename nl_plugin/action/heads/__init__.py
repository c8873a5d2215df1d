"""Recognition heads: the multi-label I3D head of the Charades models."""
from .multi_label_i3d_head import MultiLabelI3DHead

__all__ = ['MultiLabelI3DHead']
