"""NL-ResNet for MMDetection: mmdet's ``ResNet`` plus non-local blocks per
residual block.

mmdet's ``plugins`` put a plugin into *every* block of a stage, inside the
residual branch. The paper's Mask R-CNN has exactly one NL block, after the
residual block that precedes the last block of res4 (``non_local='1-block'``).
This backbone keeps mmdet's arguments and state-dict layout (ImageNet and mmdet
checkpoints load unchanged) and adds ``non_local`` / ``non_local_cfg``.
"""
from typing import Dict, Optional

from mmdet.models.backbones.resnet import Bottleneck, ResNet
from mmdet.registry import MODELS

from ...blocks import NonLocalBlock2d, NonLocalBlockNd
from ...blocks.placement import STAGES, non_local_flags, non_local_positions
from ...engine.checkpoint_io import check_local_path


class NLBottleneck(Bottleneck):
    """mmdet ``Bottleneck`` followed, optionally, by a non-local block."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.non_local_block = None  # set by NLResNet where the spec asks

    def forward(self, x):
        out = super().forward(x)
        if self.non_local_block is not None:
            out = self.non_local_block(out)
        return out


@MODELS.register_module()
class NLResNet(ResNet):
    """mmdet ``ResNet`` (depth 50/101/152) with non-local blocks.

    Args:
        non_local: Placement spec (see :mod:`.placement`); ``'1-block'`` is the
            paper's Mask R-CNN backbone.
        non_local_cfg (dict): Arguments of :class:`NonLocalBlock2d`.
        **kwargs: Everything mmdet's ``ResNet`` takes.
    """

    def __init__(self,
                 depth: int = 50,
                 non_local='none',
                 non_local_cfg: Optional[Dict] = None,
                 **kwargs):
        if depth not in (50, 101, 152):
            raise ValueError(
                f'depth must be 50, 101 or 152 for NLResNet, got {depth}')
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
        """Builds the stage with :class:`NLBottleneck` blocks (mmdet's
        otherwise)."""
        kwargs['block'] = NLBottleneck
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
