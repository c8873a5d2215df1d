"""NL-ResNet for MMDetection: mmdet's ``ResNet`` plus non-local blocks per
residual block.

mmdet's ``plugins`` put a plugin into *every* block of a stage, inside the
residual branch. The paper's Mask R-CNN has exactly one NL block, after the
residual block that precedes the last block of res4 (``non_local='1-block'``).
This backbone keeps mmdet's arguments (in mmdet's order), depths (18 to 152)
and state-dict layout (ImageNet and mmdet checkpoints load unchanged) and adds
``non_local`` / ``non_local_cfg``. Checkpoint paths in ``init_cfg`` are
checked before a run by ``tools/train.py``, not here: building the module
reads no file.
"""
import inspect
from typing import Dict, Optional

from mmdet.models.backbones.resnet import BasicBlock, Bottleneck, ResNet
from mmdet.registry import MODELS

from ...blocks import NonLocalBlock2d, NonLocalBlockNd
from ...blocks.placement import STAGES, non_local_flags, non_local_positions

_RESNET_ARGS = inspect.signature(ResNet.__init__)


class _FollowedByNonLocal:
    """Mixin for mmdet's residual blocks: an optional non-local block on the
    block's output (after its ReLU)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.non_local_block = None  # set by NLResNet where the spec asks

    def forward(self, x):
        out = super().forward(x)
        if self.non_local_block is not None:
            out = self.non_local_block(out)
        return out


class NLBottleneck(_FollowedByNonLocal, Bottleneck):
    """mmdet ``Bottleneck`` followed, optionally, by a non-local block."""


class NLBasicBlock(_FollowedByNonLocal, BasicBlock):
    """mmdet ``BasicBlock`` followed, optionally, by a non-local block."""


_WITH_NON_LOCAL = {Bottleneck: NLBottleneck, BasicBlock: NLBasicBlock}


@MODELS.register_module()
class NLResNet(ResNet):
    """mmdet ``ResNet`` (depth 18/34/50/101/152) with non-local blocks.

    Args:
        depth (int): 18, 34 (basic blocks), 50, 101 or 152.
        *args: mmdet ``ResNet``'s further positional arguments.
        non_local: Placement spec (see :mod:`nl_plugin.blocks.placement`);
            ``'1-block'`` is the paper's Mask R-CNN backbone.
        non_local_cfg (dict): Arguments of :class:`NonLocalBlock2d`.
        **kwargs: Everything else mmdet's ``ResNet`` takes.
    """

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
        self.non_local_positions = non_local_positions(flags)
        for stage, index in self.non_local_positions:
            i = STAGES.index(stage)
            channels = self.base_channels * 2**i * self.block.expansion
            layer = getattr(self, self.res_layers[i])
            layer[index].non_local_block = NonLocalBlock2d(
                channels, **(non_local_cfg or {}))

    def make_res_layer(self, **kwargs):
        """Builds the stage with :class:`NLBottleneck` / :class:`NLBasicBlock`
        blocks. ``arch_settings`` keeps mmdet's classes, which its init
        compares by identity (``zero_init_residual``)."""
        kwargs['block'] = _WITH_NON_LOCAL[kwargs['block']]
        return super().make_res_layer(**kwargs)

    def train(self, mode: bool = True) -> 'NLResNet':
        """mmdet's train mode handling; returns ``self`` as ``nn.Module``
        does."""
        super().train(mode)
        return self

    def non_local_blocks(self):
        """``(name, block)`` of every non-local block, in forward order."""
        return [(name, m) for name, m in self.named_modules()
                if isinstance(m, NonLocalBlockNd)]
