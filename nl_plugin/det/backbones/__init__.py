"""NLResNet: mmdet's ResNet with non-local blocks at chosen residual blocks."""
from .nl_resnet import NLResNet

__all__ = ['NLResNet']
