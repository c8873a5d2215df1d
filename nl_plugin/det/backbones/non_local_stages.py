"""What NLResNet and NLResNeXt share: residual blocks that may end in a
non-local block, and the placing of those blocks after chosen residual blocks.

mmdet's ``plugins`` put a plugin into *every* block of a stage, inside the
residual branch. The paper's Mask R-CNN has exactly one NL block, after the
residual block that precedes the last block of res4 (``non_local='1-block'``).
The backbones keep mmdet's arguments and state-dict layout (ImageNet and mmdet
checkpoints load unchanged) and add ``non_local`` / ``non_local_cfg``.
Checkpoint paths in ``init_cfg`` are checked before a run by
``tools/train.py``, not here: building a backbone reads no file.
"""
from typing import Dict, Optional, Sequence, Tuple

from ...blocks import NonLocalBlock2d, NonLocalBlockNd
from ...blocks.placement import STAGES, non_local_positions


class NonLocalSlotMixin:
    """Mixin for an mmdet residual block: its output (after its ReLU) goes
    through ``non_local_block`` when the backbone has set one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.non_local_block = None  # set by the backbone where the spec asks

    def forward(self, x):
        out = super().forward(x)
        if self.non_local_block is not None:
            out = self.non_local_block(out)
        return out


class NonLocalBackboneMixin:
    """Mixin for mmdet's ``ResNet`` family.

    The class it is mixed into maps, in ``slot_blocks``, each of mmdet's
    residual block classes to its subclass with :class:`NonLocalSlotMixin`;
    every stage is built of those (``arch_settings`` keeps mmdet's classes,
    which mmdet's init compares by identity for ``zero_init_residual``).
    """

    slot_blocks: Dict[type, type] = {}

    def add_non_local_blocks(self, flags: Sequence[Sequence[int]],
                             non_local_cfg: Optional[Dict]) -> None:
        """A :class:`NonLocalBlock2d` after each flagged residual block."""
        self.non_local_positions: Tuple = non_local_positions(flags)
        for stage, index in self.non_local_positions:
            i = STAGES.index(stage)
            channels = self.base_channels * 2**i * self.block.expansion
            layer = getattr(self, self.res_layers[i])
            layer[index].non_local_block = NonLocalBlock2d(
                channels, **(non_local_cfg or {}))

    def make_res_layer(self, **kwargs):
        """Builds the stage of ``slot_blocks`` blocks."""
        kwargs['block'] = self.slot_blocks[kwargs['block']]
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
