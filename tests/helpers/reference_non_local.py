"""Straightforward reference for non-local blocks: the full affinity, built
with einsum.

Independent of nl_plugin's grouping and aggregation code; it reads only the
block's weights and options.
"""
import itertools

import torch
import torch.nn.functional as F

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}


def _conv(module, x, dims):
    conv = module.conv
    return _CONV[dims](x, conv.weight, conv.bias)


def _pool(block, x, dims):
    if not block.sub_sample:
        return x
    return _POOL[dims](x, block.pool_kernel)


def _coords(shape):
    return torch.tensor(list(itertools.product(*[range(s) for s in shape])))


def neighbourhood_mask(neighbourhood, grid, key_grid, group_size=None):
    """(P, S) boolean: may query p attend to key s."""
    q, k = _coords(grid), _coords(key_grid)
    if neighbourhood == 'spacetime':
        return torch.ones(len(q), len(k), dtype=torch.bool)
    if neighbourhood == 'space':
        return q[:, None, 0] == k[None, :, 0]
    if neighbourhood == 'grouped_time':  # same run of group_size frames
        return q[:, None, 0] // group_size == k[None, :, 0] // group_size
    return (q[:, None, 1:] == k[None, :, 1:]).all(-1)


def pairwise_weights(block, x):
    """Returns (N, P, S) normalised weights, g as (N, S, C') and the query
    grid."""
    dims = block.dims
    if block.pool_position == 'before_embedding':
        pooled = _pool(block, x, dims)
        phi = pooled if block.mode == 'gaussian' else _conv(
            block.phi, pooled, dims)
        g = _conv(block.g, pooled, dims)
    else:
        phi = x if block.mode == 'gaussian' else _conv(block.phi, x, dims)
        phi = _pool(block, phi, dims)
        g = _pool(block, _conv(block.g, x, dims), dims)
    theta = x if block.mode == 'gaussian' else _conv(block.theta, x, dims)
    grid, key_grid = theta.shape[2:], phi.shape[2:]
    th, ph, gg = theta.flatten(2), phi.flatten(2), g.flatten(
        2)  # (N, C, P) ...
    mask = neighbourhood_mask(block.neighbourhood, grid, key_grid,
                              block.group_size)  # (P, S)
    if block.mode == 'concatenation':
        w = block.concat_project.conv.weight.flatten()
        c = block.inter_channels
        # explicit N x P x S x 2C' concatenation, projected and rectified
        pairs = torch.cat([
            th[:, :, :, None].expand(-1, -1, -1, ph.shape[2]),
            ph[:, :, None, :].expand(-1, -1, th.shape[2], -1)
        ], 1)
        f = torch.relu(torch.einsum('ncps,c->nps', pairs, w))
        assert w.numel() == 2 * c
    else:
        f = torch.einsum('ncp,ncs->nps', th, ph)
    if block.mode in ('gaussian', 'embedded_gaussian'):
        if block.use_scale and block.mode == 'embedded_gaussian':
            f = f / th.shape[1]**0.5
        weights = f.masked_fill(~mask, float('-inf')).softmax(-1)
    else:
        weights = f * mask / mask.sum(-1, keepdim=True)
    return weights, gg.transpose(1, 2), grid


def reference_forward(block, x):
    """z = W_z y + x with BN in eval mode (running statistics)."""
    weights, g, grid = pairwise_weights(block, x)
    y = torch.einsum('nps,nsc->ncp', weights, g).reshape(x.shape[0], -1, *grid)
    out = _conv(block.conv_out, y, block.dims)
    if block.conv_out.with_norm:
        bn = block.conv_out.norm
        shape = (1, -1) + (1, ) * block.dims
        out = (out - bn.running_mean.view(shape)) / torch.sqrt(
            bn.running_var.view(shape) +
            bn.eps) * bn.weight.view(shape) + bn.bias.view(shape)
    return x + out
