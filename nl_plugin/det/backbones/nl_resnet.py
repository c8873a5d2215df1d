"""NL-ResNet for MMDetection: mmdet's ``ResNet`` plus non-local blocks after
chosen residual blocks (see :mod:`.non_local_stages`). Takes mmdet's
arguments in mmdet's order and its depths (18 to 152)."""
import inspect
from typing import Dict, Optional

from mmdet.models.backbones.resnet import BasicBlock, Bottleneck, ResNet
from mmdet.registry import MODELS

from ...blocks.placement import non_local_flags
from .non_local_stages import NonLocalBackboneMixin, NonLocalSlotMixin

_RESNET_ARGS = inspect.signature(ResNet.__init__)


class NLBottleneck(NonLocalSlotMixin, Bottleneck):
    """mmdet ``Bottleneck`` followed, optionally, by a non-local block."""


class NLBasicBlock(NonLocalSlotMixin, BasicBlock):
    """mmdet ``BasicBlock`` followed, optionally, by a non-local block."""


@MODELS.register_module()
class NLResNet(NonLocalBackboneMixin, ResNet):
    """mmdet ``ResNet`` (depth 18/34/50/101/152) with non-local blocks.

    Args:
        depth (int): 18, 34 (basic blocks), 50, 101 or 152.
        *args: mmdet ``ResNet``'s further positional arguments.
        non_local: Placement spec (see :mod:`nl_plugin.blocks.placement`);
            ``'1-block'`` is the paper's Mask R-CNN backbone.
        non_local_cfg (dict): Arguments of ``NonLocalBlock2d``.
        **kwargs: Everything else mmdet's ``ResNet`` takes.
    """

    slot_blocks = {Bottleneck: NLBottleneck, BasicBlock: NLBasicBlock}

    def __init__(self,
                 depth: int = 50,
                 *args,
                 non_local='none',
                 non_local_cfg: Optional[Dict] = None,
                 **kwargs):
        upstream = _RESNET_ARGS.bind(self, depth, *args, **kwargs)
        upstream.apply_defaults()
        num_stages = upstream.arguments['num_stages']
        valid = depth in self.arch_settings and 1 <= num_stages <= 4
        # otherwise mmdet's own checks raise first, as mmdet's ResNet does
        flags = non_local_flags(non_local,
                                self.arch_settings[depth][1][:num_stages],
                                depth) if valid else ()
        super().__init__(depth, *args, **kwargs)
        self.add_non_local_blocks(flags, non_local_cfg)
