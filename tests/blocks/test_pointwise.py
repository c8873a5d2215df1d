"""1x1 convolutions as batched matmuls: equal to torch's convolution, used only
where the conv is a plain 1x1 one."""
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvWS2d, build_conv_layer

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.blocks.pointwise import (is_pointwise, pointwise_conv,
                                        stacking_pays)

_CONV_FN = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_CLS = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}


@pytest.mark.parametrize('dims', [1, 2, 3])
@pytest.mark.parametrize('layout', ['contiguous', 'transposed'])
def test_stacked_pointwise_equals_convolution(dims, layout):
    torch.manual_seed(0)
    grid = (5, 4, 3)[:dims]
    convs = [_CONV_CLS[dims](6, 3, 1), _CONV_CLS[dims](6, 2, 1, bias=False)]
    x = torch.randn(2, 6, *grid, dtype=torch.float64)
    if layout == 'transposed':  # channels last in memory, as the block's y is
        x = x.movedim(1, -1).contiguous().movedim(-1, 1)
    x.requires_grad_(True)
    for conv in convs:
        conv.double()

    ours = pointwise_conv(x, convs)
    expected = torch.cat([_CONV_FN[dims](x, c.weight, c.bias) for c in convs],
                         1)
    torch.testing.assert_close(ours, expected)
    assert ours.is_contiguous()

    grad = torch.randn_like(expected)
    params = [x] + [p for c in convs for p in c.parameters()]
    ours_grads = torch.autograd.grad(ours, params, grad)
    expected_grads = torch.autograd.grad(expected, params, grad)
    for a, b in zip(ours_grads, expected_grads):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize(
    'shape,channels,pays',
    [
        ((1, 512, 4, 28, 28), 512, True),  # res3, 32 frames
        ((1, 1024, 16, 14, 14), 1024, True),  # res4, 128 frames
        ((1, 1024, 4, 14, 14), 1024, False),  # res4, 32 frames: 784 positions
    ])
def test_stacking_pays_where_the_input_outweighs_the_weights(
        shape, channels, pays):
    x = torch.empty(shape, device='meta')
    phi, g = (
        nn.Conv3d(channels, channels // 2, 1, device='meta') for _ in range(2))
    assert stacking_pays(x, [phi, g]) is pays
    assert not stacking_pays(x, [phi])  # nothing to stack


def test_single_conv_equals_its_convolution():
    """One conv runs on its own parameters (no stacked copy)."""
    conv = nn.Conv2d(4, 3, 1).double()
    x = torch.randn(2, 4, 5, 5, dtype=torch.float64)
    ours = pointwise_conv(x, [conv])
    expected = conv(x)
    torch.testing.assert_close(ours, expected)
    grads = torch.autograd.grad(ours.sum(), list(conv.parameters()))
    expected_grads = torch.autograd.grad(expected.sum(),
                                         list(conv.parameters()))
    for a, b in zip(grads, expected_grads):
        torch.testing.assert_close(a, b)


def test_is_pointwise_accepts_only_plain_1x1_convs():
    assert is_pointwise(nn.Conv3d(4, 2, 1))
    assert is_pointwise(build_conv_layer(dict(type='Conv3d'), 4, 2,
                                         1))  # mmcv wrapper
    assert not is_pointwise(nn.Conv2d(4, 2, 3, padding=1))
    assert not is_pointwise(nn.Conv2d(4, 2, 1, stride=2))
    assert not is_pointwise(nn.Conv2d(4, 2, 1, groups=2))
    assert not is_pointwise(ConvWS2d(4, 2,
                                     1))  # own forward: weight standardisation


def test_block_with_a_custom_conv_runs_its_forward():
    """A conv_cfg whose forward differs from a plain conv is called, not
    bypassed."""
    torch.manual_seed(0)
    block = NonLocalBlock2d(
        8, mode='dot_product', conv_cfg=dict(type='ConvWS'),
        zeros_init=False).eval()
    x = torch.randn(2, 8, 6, 6)
    theta, phi, g = (block.theta(x), block.phi(x), block.g(x))
    y = torch.einsum('ncp,ncs,nds->ndp', theta.flatten(2), phi.flatten(2),
                     g.flatten(2)) / 36
    expected = x + block.conv_out(y.view(2, 4, 6, 6))
    torch.testing.assert_close(block(x), expected, rtol=1e-4, atol=1e-5)
