"""NL-ResNeXt for MMDetection: mmdet's ``ResNeXt`` plus non-local blocks
after chosen residual blocks (see :mod:`.non_local_stages`), for the
ResNeXt-152 rows of the paper's Table 5."""
from typing import Dict, Optional

from mmdet.models.backbones.resnext import Bottleneck, ResNeXt
from mmdet.registry import MODELS

from ...blocks.placement import non_local_flags
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
        **kwargs: Everything mmdet's ``ResNeXt`` takes (``depth``,
            ``groups``, ``base_width``, ...).
    """

    slot_blocks = {Bottleneck: NLResNeXtBottleneck}

    def __init__(self,
                 *args,
                 non_local='none',
                 non_local_cfg: Optional[Dict] = None,
                 **kwargs):
        depth = kwargs.get('depth')
        num_stages = kwargs.get('num_stages', 4)
        valid = depth in self.arch_settings and 1 <= num_stages <= 4
        # otherwise mmdet's own checks raise first, as mmdet's ResNeXt does
        flags = non_local_flags(non_local,
                                self.arch_settings[depth][1][:num_stages],
                                depth) if valid else ()
        super().__init__(*args, **kwargs)
        self.add_non_local_blocks(flags, non_local_cfg)
