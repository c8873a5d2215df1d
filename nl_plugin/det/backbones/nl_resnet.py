"""NL-ResNet for MMDetection: mmdet's ``ResNet`` plus non-local blocks after
chosen residual blocks (see :mod:`.non_local_stages`)."""
from mmdet.models.backbones.resnet import Bottleneck, ResNet
from mmdet.registry import MODELS

from .non_local_stages import NonLocalBackboneMixin, NonLocalSlotMixin


class NLBottleneck(NonLocalSlotMixin, Bottleneck):
    """mmdet ``Bottleneck`` followed, optionally, by a non-local block."""


@MODELS.register_module()
class NLResNet(NonLocalBackboneMixin, ResNet):
    """mmdet ``ResNet`` (depth 50/101/152) with non-local blocks.

    Args:
        non_local: Placement spec (see :mod:`nl_plugin.blocks.placement`);
            ``'1-block'`` is the paper's Mask R-CNN backbone.
        non_local_cfg (dict): Arguments of ``NonLocalBlock2d``.
        **kwargs: Everything mmdet's ``ResNet`` takes.
    """

    arch_settings = {
        depth: setting
        for depth, setting in ResNet.arch_settings.items()
        if setting[0] is Bottleneck
    }
    slot_block = NLBottleneck
