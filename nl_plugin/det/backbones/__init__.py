"""NLResNet / NLResNeXt: mmdet's ResNet / ResNeXt with non-local blocks at
chosen residual blocks."""
from .nl_resnet import NLResNet
from .nl_resnext import NLResNeXt

__all__ = ['NLResNet', 'NLResNeXt']
