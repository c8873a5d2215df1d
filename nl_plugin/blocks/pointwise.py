"""1x1 convolutions of the non-local block as batched matrix products.

A 1x1 convolution over ``(N, C, *grid)`` is ``W (C_out, C) @ x_n (C, P)`` for
each sample ``n`` and its ``P`` flattened positions. As one ``bmm`` it is about
twice as fast as mkldnn's 1x1 ``Conv3d`` on CPU, reads inputs of any stride
(the block's attention outputs are transposed) without a copy, and always
writes a contiguous output, which keeps the BN after ``W_z`` off its slow
mixed-layout backward. Several convs that read the same input run as one
product over their stacked weights.
"""
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn.bricks import wrappers

# Convs whose forward is the plain convolution (mmcv's wrappers only add
# empty-input handling); subclasses with their own forward (e.g. weight
# standardisation) are not.
PLAIN_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, wrappers.Conv2d,
               wrappers.Conv3d)


def is_pointwise(conv: nn.Module) -> bool:
    """Whether ``conv`` is a plain 1x1 convolution (stride 1, no padding, one
    group)."""
    return (type(conv) in PLAIN_CONVS and all(k == 1 for k in conv.kernel_size)
            and all(s == 1 for s in conv.stride)
            and all(p == 0 for p in conv.padding) and conv.groups == 1)


def pointwise_conv(x: torch.Tensor,
                   convs: Sequence[nn.Module]) -> torch.Tensor:
    """Stacked outputs of 1x1 ``convs`` on ``x``: ``(N, C, *grid) -> (N, sum
    C_out, *grid)``."""
    weight = torch.cat([conv.weight.flatten(1)
                        for conv in convs])  # (C_out, C)
    # (N, C_out, C) x (N, C, P) -> (N, C_out, P); the weight is broadcast, not
    # copied
    out = torch.bmm(weight.expand(x.shape[0], -1, -1), x.flatten(2))
    if any(conv.bias is not None for conv in convs):
        bias = torch.cat([
            weight.new_zeros(conv.out_channels)
            if conv.bias is None else conv.bias for conv in convs
        ])
        out.add_(bias[:, None])  # (C_out, 1) broadcast over positions
    return out.view(x.shape[0], -1, *x.shape[2:])
