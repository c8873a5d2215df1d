"""NL-ResNet for video: MMAction2's ``ResNet3d`` with the paper's non-local
blocks.

A drop-in for ``ResNet3d`` (same arguments in the same order, depths 18 to
152, same state-dict layout), extended with:

* ``non_local`` accepts the paper's layouts (``'5-block'`` ...), see
  :mod:`.placement`;
* the blocks are our :class:`NonLocalBlock3d` (any mode / neighbourhood) and
  stay the identity at init, whatever ``init_weights()`` does to the other BNs;
* ``pool1_kernel_t`` / ``pool2_kernel_t`` give the paper's 3x3x3 pool1 and
  3x1x1 pool2 of Table 1 (upstream: 1x3x3 and 2x1x1), ``pool1_padding_s=0``
  the official code's unpadded pool1 (Caffe2 floors: 112 -> 55);
* ``non_local_stage_cfg`` overrides the NL block arguments of one stage (the
  released frozen-BN models group time in res3 only);
* 2D -> 3D inflation from a local torchvision / MMPretrain checkpoint with a
  report of every key (see :mod:`.inflation`); remote sources are refused.

The C2D and I3D variants of the paper are argument sets, see
``configs/_base_/models``.
"""
import inspect
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn
from mmaction.models.backbones.resnet3d import (BasicBlock3d, Bottleneck3d,
                                                ResNet3d)
from mmaction.registry import MODELS
from mmengine.logging import MMLogger

from ...blocks import NonLocalBlock3d, NonLocalBlockNd
from ...blocks.placement import STAGES, non_local_flags, non_local_positions
from .inflation import inflate_from_2d
from .recompute import (bn_relu_conv, bn_relu_max_pool, is_conv_norm,
                        max_pool_keeping_input, recomputable)

_RESNET3D_ARGS = inspect.signature(ResNet3d.__init__)


class _NonLocalBlockMixin:
    """Mixin for MMAction2's residual blocks: the optional non-local block is
    a :class:`NonLocalBlock3d`, stored as ``non_local_block`` after the block's
    ReLU, as upstream stores mmcv's ``NonLocal3d``; with
    ``recompute_norm_act`` the ReLU outputs inside the block are recomputed
    in backward instead of kept (see :mod:`.recompute`)."""

    def __init__(self,
                 *args,
                 non_local: bool = False,
                 non_local_cfg: Optional[Dict] = None,
                 recompute_norm_act: bool = True,
                 **kwargs):
        super().__init__(*args, non_local=False, **kwargs)
        self.non_local = non_local
        self.non_local_cfg = dict(non_local_cfg or {})
        self.recompute_norm_act = recompute_norm_act
        if non_local:
            self.build_non_local_block()

    def build_non_local_block(self) -> None:
        """``non_local_block`` from ``non_local_cfg``; it checkpoints with the
        residual block (``with_cp``) unless the cfg says otherwise."""
        cfg = dict(dict(with_cp=self.with_cp), **self.non_local_cfg)
        self.non_local_block = NonLocalBlock3d(self.planes * self.expansion,
                                               **cfg)

    def conv_modules(self) -> Sequence[nn.Module]:
        """The residual branch's ``ConvModule`` s, in order."""
        raise NotImplementedError

    def _recomputes(self, x: torch.Tensor) -> bool:
        """Whether the branch is conv -> BN -> ReLU ... conv -> BN of plain
        modules that :mod:`.recompute` takes, outside checkpointing."""
        *inner, last = self.conv_modules()
        if not (self.recompute_norm_act and not self.with_cp
                and is_conv_norm(last, activation=False)
                and all(is_conv_norm(m, activation=True) for m in inner)):
            return False
        modules = [m.conv for m in inner + [last]]
        modules += [m.norm for m in inner] + [m.activate for m in inner]
        return recomputable(x, *modules)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._recomputes(x):
            return super().forward(x)
        identity = x if self.downsample is None else self.downsample(x)
        convs = self.conv_modules()
        out = convs[0].conv(x)
        for module, following in zip(convs, convs[1:]):
            out = bn_relu_conv(out, module.norm, following.conv)
        out = self.relu(convs[-1].norm(out) + identity)
        return self.non_local_block(out) if self.non_local else out


class NLBottleneck3d(_NonLocalBlockMixin, Bottleneck3d):
    """``Bottleneck3d`` (ResNet-50/101/152) with our non-local block."""

    def conv_modules(self) -> Sequence[nn.Module]:
        return [self.conv1, self.conv2, self.conv3]


class NLBasicBlock3d(_NonLocalBlockMixin, BasicBlock3d):
    """``BasicBlock3d`` (ResNet-18/34) with our non-local block."""

    def conv_modules(self) -> Sequence[nn.Module]:
        return [self.conv1, self.conv2]


def _check_kernel_t(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f'{name} must be a positive int, got {value!r}')


@MODELS.register_module()
class NLResNet3d(ResNet3d):
    """ResNet3d (depth 18/34/50/101/152) as C2D or I3D with non-local blocks.

    Takes ``ResNet3d``'s arguments in ``ResNet3d``'s order (``NLResNet3d(50,
    None)`` is ``ResNet3d(50, None)``); the added ones are keyword-only.
    Upstream's own argument checks (depth, ``num_stages``, strides) come
    first and raise what upstream raises.

    Args:
        depth (int): 18, 34 (basic blocks), 50, 101 or 152.
        pretrained (str, optional): As ``ResNet3d``; a 2D checkpoint must be
            a local file (see :mod:`.inflation`).
        *args: ``ResNet3d``'s further positional arguments.
        non_local: Where the NL blocks go: a named layout (``'1-block'``,
            ``'1-block-res3'``, ``'5-block'``, ``'10-block'`` ...), a dict of
            stage name to block indices, or MMAction2's per-block flags. See
            :mod:`.placement`.
        non_local_cfg (dict): Arguments of :class:`NonLocalBlock3d` (mode,
            neighbourhood, sub_sample, ...).
        non_local_stage_cfg (dict, optional): Per-stage overrides of
            ``non_local_cfg`` for the NL blocks of that stage, e.g.
            ``dict(res3=dict(neighbourhood='grouped_time', group_size=4))``.
        with_cp (bool): ``ResNet3d``'s activation checkpointing of the
            residual blocks; here it checkpoints the NL blocks too (unless
            ``non_local_cfg`` sets their own ``with_cp``).
        pool1_kernel_t (int): Temporal kernel of pool1 (paper 3, upstream 1,
            official code 1 or 2).
        pool1_padding_s (int): Spatial padding of pool1: 1 (upstream) or 0
            (official code, whose pool1 floors 112 to 55).
        pool2_kernel_t (int): Temporal kernel of pool2 (paper 3, upstream 2).
        recompute_norm_act (bool): Recompute the outputs of the BN -> ReLU
            pairs (stem, residual branches) and pool1 / pool2's indices in
            backward instead of keeping them (the same outputs, gradients
            equal to fp32 rounding, less memory in training; see
            :mod:`.recompute`). Default True.
        **kwargs: Everything ``ResNet3d`` takes (e.g. ``conv1_stride_t``: 1 or
            2 in the official code; ``norm_cfg=dict(type='FrozenAffine')`` for
            its frozen-BN models).
    """

    arch_settings = {
        18: (NLBasicBlock3d, (2, 2, 2, 2)),
        34: (NLBasicBlock3d, (3, 4, 6, 3)),
        50: (NLBottleneck3d, (3, 4, 6, 3)),
        101: (NLBottleneck3d, (3, 4, 23, 3)),
        152: (NLBottleneck3d, (3, 8, 36, 3)),
    }

    def __init__(self,
                 depth: int = 50,
                 pretrained: Optional[str] = None,
                 *args,
                 non_local=(0, 0, 0, 0),
                 non_local_cfg: Optional[Dict] = None,
                 pool1_kernel_t: int = 1,
                 pool2_kernel_t: int = 2,
                 pool1_padding_s: int = 1,
                 non_local_stage_cfg: Optional[Dict[str, Dict]] = None,
                 recompute_norm_act: bool = True,
                 **kwargs):
        _check_kernel_t('pool1_kernel_t', pool1_kernel_t)
        _check_kernel_t('pool2_kernel_t', pool2_kernel_t)
        if pool1_padding_s not in (0, 1) or isinstance(pool1_padding_s, bool):
            raise ValueError('pool1_padding_s must be 0 (official code) or 1 '
                             f'(MMAction2), got {pool1_padding_s!r}')
        if not isinstance(recompute_norm_act, bool):
            raise ValueError('recompute_norm_act must be a bool, got '
                             f'{recompute_norm_act!r}')
        upstream = _RESNET3D_ARGS.bind(self, depth, pretrained, *args,
                                       **kwargs)
        upstream.apply_defaults()
        _check_kernel_t('conv1_stride_t', upstream.arguments['conv1_stride_t'])
        flags = self._flags(non_local, depth, upstream.arguments)
        super().__init__(
            depth,
            pretrained,
            *args,
            non_local=flags,
            non_local_cfg=dict(non_local_cfg or {}),
            recompute_norm_act=recompute_norm_act,
            **kwargs)
        self.recompute_norm_act = recompute_norm_act
        self.non_local_positions = non_local_positions(flags)
        self._override_stage_blocks(non_local_stage_cfg or {})
        self.maxpool = nn.MaxPool3d(
            kernel_size=(pool1_kernel_t, 3, 3),
            stride=(self.pool1_stride_t, self.pool1_stride_s,
                    self.pool1_stride_s),
            padding=((pool1_kernel_t - 1) // 2, pool1_padding_s,
                     pool1_padding_s))
        self.pool2 = nn.MaxPool3d(
            kernel_size=(pool2_kernel_t, 1, 1),
            stride=(2, 1, 1),
            padding=((pool2_kernel_t - 1) // 2, 0, 0))

    def _flags(self, non_local, depth, arguments: dict):
        """MMAction2's per-block flags for ``non_local``; the spec unchanged
        where upstream's own checks of ``depth`` / ``num_stages`` /
        ``stage_blocks`` will reject the arguments first."""
        num_stages, stage_blocks = (arguments['num_stages'],
                                    arguments['stage_blocks'])
        if depth not in self.arch_settings or not 1 <= num_stages <= 4:
            return non_local
        if stage_blocks is None:
            stage_blocks = self.arch_settings[depth][1][:num_stages]
        elif len(stage_blocks) != num_stages:
            return non_local
        return non_local_flags(non_local, stage_blocks, depth)

    def _override_stage_blocks(self, stage_cfg: Dict[str, Dict]) -> None:
        """Rebuilds the NL blocks of the stages in ``stage_cfg`` with their
        arguments over ``non_local_cfg``."""
        if not isinstance(stage_cfg, dict):
            raise ValueError('non_local_stage_cfg must be a dict of stage '
                             f'name to dict, got {stage_cfg!r}')
        stages = STAGES[:len(self.res_layers)]
        for stage, overrides in stage_cfg.items():
            if stage not in stages or not isinstance(overrides, dict):
                raise ValueError(
                    f'non_local_stage_cfg: keys must be stages {list(stages)} '
                    'mapped to dicts of NonLocalBlock3d arguments, got '
                    f'{stage!r}: {overrides!r}')
        for stage, layer_name in zip(STAGES, self.res_layers):
            if stage not in stage_cfg:
                continue
            for block in getattr(self, layer_name):  # upstream's layer names
                if block.non_local:
                    block.non_local_cfg = {
                        **self.non_local_cfg,
                        **stage_cfg[stage]
                    }
                    block.build_non_local_block()

    def _stem(self, x: torch.Tensor) -> torch.Tensor:
        """conv1 and pool1, the BN -> ReLU output recomputed if it can be."""
        conv1, pool = self.conv1, self.maxpool
        if self.with_pool1 and is_conv_norm(conv1, activation=True) and \
                recomputable(x, conv1.conv, conv1.norm, conv1.activate, pool):
            return bn_relu_max_pool(conv1.conv(x), conv1.norm, pool)
        x = conv1(x)
        return pool(x) if self.with_pool1 else x

    def forward(self, x: torch.Tensor):
        """Upstream's forward; with ``recompute_norm_act`` the stem's BN ->
        ReLU output and the pools' indices are recomputed in backward."""
        if not self.recompute_norm_act:
            return super().forward(x)
        x = self._stem(x)
        outs = []
        for i, layer_name in enumerate(self.res_layers):
            x = getattr(self, layer_name)(x)  # upstream's layer names
            if i == 0 and self.with_pool2:
                x = (
                    max_pool_keeping_input(x, self.pool2) if recomputable(
                        x, self.pool2) else self.pool2(x))
            if i in self.out_indices:
                outs.append(x)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def non_local_blocks(self):
        """``(name, block)`` of every non-local block, in forward order."""
        return [(name, m) for name, m in self.named_modules()
                if isinstance(m, NonLocalBlockNd)]

    def train(self, mode: bool = True) -> 'NLResNet3d':
        """Upstream's train mode handling; returns ``self`` as ``nn.Module``
        does."""
        super().train(mode)
        return self

    def inflate_weights(self, logger: MMLogger) -> None:
        """Inflates from the local 2D checkpoint ``self.pretrained`` with a
        report."""
        self.inflation_report = inflate_from_2d(self, self.pretrained, logger)

    def init_weights(self, pretrained: Optional[str] = None) -> None:
        """Upstream init, then the NL blocks back to identity unless a full 3D
        checkpoint (``pretrained2d=False``) provided their weights."""
        super().init_weights(pretrained)
        loaded_3d = isinstance(self.pretrained, str) and not self.pretrained2d
        if not loaded_3d:
            for _, block in self.non_local_blocks():
                block.reset_parameters()
