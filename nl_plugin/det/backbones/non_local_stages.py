"""What NLResNet and NLResNeXt share: a residual block that may end in a
non-local block, and a backbone front-end that places those blocks.

mmdet's ``plugins`` put a plugin into *every* block of a stage, inside the
residual branch. The paper's Mask R-CNN has exactly one NL block, after the
residual block that precedes the last block of res4 (``non_local='1-block'``).
The mixins here keep mmdet's arguments and state-dict layout (ImageNet and
mmdet checkpoints load unchanged) and add ``non_local`` / ``non_local_cfg``.
"""
from typing import Dict, Optional

from ...blocks import NonLocalBlock2d, NonLocalBlockNd
from ...blocks.placement import STAGES, non_local_flags, non_local_positions
from ...engine.checkpoint_io import check_local_path


class NonLocalSlotMixin:
    """Mixin for an mmdet residual block: its output goes through
    ``non_local_block`` when the backbone has set one (None otherwise)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.non_local_block = None  # set by the backbone where the spec asks

    def forward(self, x):
        out = super().forward(x)
        if self.non_local_block is not None:
            out = self.non_local_block(out)
        return out


class NonLocalBackboneMixin:
    """Mixin for mmdet's ``ResNet`` family: NL blocks after chosen residual
    blocks.

    The class it is mixed into names, as ``slot_block``, the subclass of its
    residual block with :class:`NonLocalSlotMixin`; every stage is built of
    it (``arch_settings`` keeps mmdet's blocks, which mmdet's init reads).

    Args:
        depth (int): A depth of the class's ``arch_settings``.
        non_local: Placement spec (see :mod:`nl_plugin.blocks.placement`);
            ``'1-block'`` is the paper's Mask R-CNN backbone.
        non_local_cfg (dict, optional): Arguments of
            :class:`NonLocalBlock2d`.
        **kwargs: Everything the mmdet backbone takes.
    """

    def __init__(self,
                 depth: int = 50,
                 non_local='none',
                 non_local_cfg: Optional[Dict] = None,
                 **kwargs):
        if depth not in self.arch_settings:
            raise ValueError(f'depth must be one of '
                             f'{sorted(self.arch_settings)} for '
                             f'{type(self).__name__}, got {depth}')
        init_cfg = kwargs.get('init_cfg')
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            check_local_path(init_cfg.get('checkpoint'), 'init_cfg.checkpoint')
        num_stages = kwargs.get('num_stages', 4)
        flags = non_local_flags(non_local,
                                self.arch_settings[depth][1][:num_stages],
                                depth)
        super().__init__(depth=depth, **kwargs)
        self.non_local_positions = non_local_positions(flags)
        for stage, index in self.non_local_positions:
            layer = getattr(self, f'layer{STAGES.index(stage) + 1}')
            channels = layer[index].conv3.out_channels
            layer[index].non_local_block = NonLocalBlock2d(
                channels, **(non_local_cfg or {}))

    def make_res_layer(self, **kwargs):
        """Builds the stage of ``slot_block`` blocks (mmdet's otherwise)."""
        kwargs['block'] = self.slot_block
        return super().make_res_layer(**kwargs)

    def train(self, mode: bool = True):
        """mmdet's train mode handling; returns ``self`` as ``nn.Module``
        does."""
        super().train(mode)
        return self

    def non_local_blocks(self):
        """``(name, block)`` of every non-local block, in forward order."""
        return [(name, m) for name, m in self.named_modules()
                if isinstance(m, NonLocalBlockNd)]
