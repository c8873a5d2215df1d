"""1x1 convolutions of the non-local block, several as one.

Convs that read the same input (phi and g) run as one convolution over their
stacked weights where the input outweighs them (:func:`stacking_pays`): one
pass over the input instead of two, one kernel call. The input is made
contiguous first (the block's attention outputs are transposed views): on
CPUs mkldnn's convolution was 1.1-2x faster, forward + backward, than a
``bmm`` (1.6-1.8x for the output projection on a copy against a ``bmm``
reading the view; res3 / res4 shapes of 32- and 128-frame clips, 2 cores,
idle), and the contiguous output keeps the BN after ``W_z`` off its slow
mixed-layout backward.
"""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks import wrappers

# Convs whose forward is the plain convolution (mmcv's wrappers only add
# empty-input handling); subclasses with their own forward (e.g. weight
# standardisation) are not.
PLAIN_CONVS = (nn.Conv1d, nn.Conv2d, nn.Conv3d, wrappers.Conv2d,
               wrappers.Conv3d)

_CONV = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}  # by input dims


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
    if len(convs) == 1:  # no copy of the weights
        weight, bias = convs[0].weight, convs[0].bias
    else:
        weight, bias = _stacked_parameters(convs)
    return _CONV[x.dim()](x.contiguous(), weight, bias)


def _stacked_parameters(convs: Sequence[nn.Module]):
    """Weights ``(sum C_out, C, 1, ...)`` and biases (zero where a conv has
    none; ``None`` where none has) of ``convs``, stacked."""
    weight = torch.cat([conv.weight for conv in convs])
    if all(conv.bias is None for conv in convs):
        return weight, None
    return weight, torch.cat([
        weight.new_zeros(conv.out_channels) if conv.bias is None else conv.bias
        for conv in convs
    ])


def stacking_pays(x: torch.Tensor, convs: Sequence[nn.Module]) -> bool:
    """Whether to run ``convs`` as one convolution over their stacked
    weights: where ``x`` outweighs those weights. Stacking reads ``x`` once
    and sums no input gradients, but copies the weights and their gradients:
    at res4 of a 32-frame clip (784 positions, 1024 channels; phi and g) the
    copies took the block's peak to 34 MB against 26 MB unstacked (mmcv: 29),
    at the same speed."""
    return len(convs) > 1 and x.numel() > sum(c.weight.numel() for c in convs)
