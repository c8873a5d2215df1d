"""NL-ResNeXt for MMDetection: mmdet's ``ResNeXt`` plus non-local blocks
after chosen residual blocks (see :mod:`.non_local_stages`), for the
ResNeXt-152 rows of the paper's Table 5."""
from mmdet.models.backbones.resnext import Bottleneck, ResNeXt
from mmdet.registry import MODELS

from .non_local_stages import NonLocalBackboneMixin, NonLocalSlotMixin


class NLResNeXtBottleneck(NonLocalSlotMixin, Bottleneck):
    """mmdet's ResNeXt ``Bottleneck`` followed, optionally, by a non-local
    block."""


@MODELS.register_module()
class NLResNeXt(NonLocalBackboneMixin, ResNeXt):
    """mmdet ``ResNeXt`` (depth 50/101/152, any ``groups`` x ``base_width``)
    with non-local blocks.

    Args:
        non_local: Placement spec (see :mod:`nl_plugin.blocks.placement`);
            ``'1-block'``: one block right before the last residual block of
            res4 (after block 34 of 0..35 for depth 152).
        non_local_cfg (dict): Arguments of ``NonLocalBlock2d``.
        **kwargs: Everything mmdet's ``ResNeXt`` takes (``groups``,
            ``base_width``, ...).
    """

    slot_block = NLResNeXtBottleneck
