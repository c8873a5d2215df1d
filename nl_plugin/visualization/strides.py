"""The stride of the grid a non-local block sees, read from the backbone.

Input units per cell are the product of the strides of the layers that run
before the block on the backbone's main path: the stem (conv1 or the deep
stem, then max pooling), MMAction2's temporal ``pool2`` after res2, and the
convs of every residual block up to the one the block follows (the shortcut's
downsampling runs beside them and is not counted). Supported: MMAction2's
``ResNet3d`` and MMDetection's ``ResNet`` and their subclasses (NLResNet3d,
NLResNet). Neither framework is imported here: a backbone of one of them
means that framework is loaded already.
"""
import sys
from typing import Iterable, Tuple

import torch.nn as nn

from .geometry import Cell

_STRIDED = (nn.modules.conv._ConvNd, nn.MaxPool2d, nn.MaxPool3d, nn.AvgPool2d,
            nn.AvgPool3d)
_BLOCK_CONVS = ('conv1', 'conv2', 'conv3')
_RESNET3D = ('mmaction.models.backbones.resnet3d', 'ResNet3d')
_RESNET = ('mmdet.models.backbones.resnet', 'ResNet')


def _is_instance(module: nn.Module, where: Tuple[str, str]) -> bool:
    loaded = sys.modules.get(where[0])
    return loaded is not None and isinstance(module, getattr(loaded, where[1]))


def _multiply(strides: Iterable, dims: int) -> Tuple[int, ...]:
    """Product of strides, each an int (every axis) or one int per axis."""
    total = [1] * dims
    for stride in strides:
        stride = (stride, ) * dims if isinstance(stride, int) else stride
        total = [t * s for t, s in zip(total, stride)]
    return tuple(total)


def _stride(module: nn.Module, dims: int) -> Tuple[int, ...]:
    """Product of the strides of the strided layers inside ``module``."""
    return _multiply(
        (layer.stride
         for layer in module.modules() if isinstance(layer, _STRIDED)), dims)


def _stem_and_pool2(backbone: nn.Module):
    """``(dims, stem layers, pool2 or None)`` of a supported backbone."""
    if _is_instance(backbone, _RESNET3D):
        pool2 = backbone.pool2 if backbone.with_pool2 else None
        return 3, (backbone.conv1, backbone.maxpool), pool2
    if _is_instance(backbone, _RESNET):
        stem = backbone.stem if backbone.deep_stem else backbone.conv1
        return 2, (stem, backbone.maxpool), None
    raise ValueError(
        f'cannot read strides from a {type(backbone).__name__}: supported '
        "are MMAction2's ResNet3d and MMDetection's ResNet (and their "
        'subclasses NLResNet3d, NLResNet)')


def _host_block(backbone: nn.Module, block_name: str) -> Tuple[int, int]:
    """``(stage, block index)`` of the residual block the NL block follows."""
    parts = block_name.split('.')
    if (len(parts) < 3 or parts[0] not in backbone.res_layers
            or not parts[1].isdigit()):
        raise ValueError(
            f'{block_name!r} is not a block inside a residual block '
            f'(<stage>.<index>.<name>, stages {list(backbone.res_layers)})')
    return backbone.res_layers.index(parts[0]), int(parts[1])


def block_stride(backbone: nn.Module, block_name: str) -> Cell:
    """``(t, y, x)`` input units per cell of the block's input grid.

    Args:
        backbone: A ResNet3d / ResNet (or subclass) holding the block.
        block_name (str): The block's name in the backbone, e.g.
            ``layer3.0.non_local_block`` (after residual block 0 of res4).

    Returns:
        tuple: ``(s_t, s_y, s_x)``; ``s_t = 1`` for a 2D backbone.
    """
    dims, stem, pool2 = _stem_and_pool2(backbone)
    stage, index = _host_block(backbone, block_name)
    strides = [_stride(layer, dims) for layer in stem]
    for i, name in enumerate(backbone.res_layers[:stage + 1]):
        blocks = list(getattr(backbone, name))
        for block in blocks[:index + 1] if i == stage else blocks:
            strides += [
                _stride(getattr(block, conv), dims) for conv in _BLOCK_CONVS
                if hasattr(block, conv)
            ]
        if i == 0 and pool2 is not None and stage > 0:
            strides.append(_stride(pool2, dims))
    stride = _multiply(strides, dims)
    return (1, ) + stride if dims == 2 else stride
