"""``BN -> ReLU -> next op`` keeping only the BN input for backward.

In a residual network's ``conv -> BN -> ReLU -> conv`` autograd keeps two
tensors of the same size per layer: the BN input (for BN's backward) and the
ReLU output (for ReLU's backward and the next conv's weight gradient); a max
pool after a ReLU adds int64 indices, twice the bytes of its fp32 output. The
ReLU output is an elementwise function of the BN input, so the functions here
keep the BN input alone and recompute the rest in backward (one elementwise
pass and, in train mode, one reduction for the batch statistics):

* :func:`bn_relu_conv`: ``conv(ReLU(BN(x)))`` inside a residual block;
* :func:`bn_relu_max_pool`: ``max_pool(ReLU(BN(x)))``, the stem;
* :func:`max_pool_keeping_input`: a max pool that keeps its input (which the
  ReLU before it keeps anyway) and recomputes the indices.

The forward pass runs the modules themselves (running statistics update as
upstream's); the outputs are upstream's, the gradients equal to fp32
rounding. :func:`recomputable` says which modules these functions take;
callers use the modules directly otherwise (and without gradients, under
autocast or inside activation checkpointing, where nothing is gained).
"""
from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule

from ...blocks.pointwise import PLAIN_CONVS

Needs = Tuple[bool, bool]  # whether the weight / bias gradients are wanted


def _plain_bn(norm: nn.Module) -> bool:
    # SyncBatchNorm's backward reduces across processes: not replicated here
    return type(norm) in (nn.BatchNorm2d, nn.BatchNorm3d)


def _plain_conv(conv: nn.Module) -> bool:
    return (type(conv) in PLAIN_CONVS and conv.padding_mode == 'zeros'
            and not isinstance(conv.padding, str))


def _plain_pool(pool: nn.Module) -> bool:
    return type(pool) is nn.MaxPool3d and not pool.return_indices


def recomputable(x: torch.Tensor, *modules: nn.Module) -> bool:
    """Whether ``modules`` (BNs, ReLUs, convs, 3D max pools) can run through
    this module's functions on ``x``: plain module types, gradients wanted,
    no autocast, not traced or compiled (ONNX export sees the modules)."""
    plain = all(
        _plain_bn(m) or _plain_conv(m) or _plain_pool(m) or type(m) is nn.ReLU
        for m in modules)
    exporting = torch.jit.is_tracing() or torch.compiler.is_compiling()
    return (plain and torch.is_grad_enabled() and not exporting
            and not torch.is_autocast_enabled(x.device.type))


def is_conv_norm(module: nn.Module, activation: bool) -> bool:
    """Whether ``module`` is an mmcv ``ConvModule`` running conv -> norm, then
    an activation iff ``activation``, with no padding layer."""
    return (isinstance(module, ConvModule)
            and module.order == ('conv', 'norm', 'act') and module.with_norm
            and module.with_activation == activation
            and not module.with_explicit_padding)


def _batch_norm_stats(x: torch.Tensor, norm: nn.Module):
    """Mean and variance ``(C,)`` the BN forward normalised ``x (N, C,
    *grid)`` with: the batch's (train mode, or no running statistics) or the
    running ones."""
    if norm.training or not norm.track_running_stats:
        dims = [0] + list(range(2, x.dim()))
        var, mean = torch.var_mean(x, dim=dims, correction=0)
        return mean, var, True
    return norm.running_mean, norm.running_var, False


def _relu_bn(x: torch.Tensor, norm: nn.Module, weight, bias):
    """Recomputes ``ReLU(BN(x))`` in backward; returns it and what the BN
    backward needs."""
    mean, var, batch_stats = _batch_norm_stats(x, norm)
    y = F.batch_norm(x, mean, var, weight, bias, False, 0.0, norm.eps)
    return y.relu_(), (mean, var, batch_stats)


def _bn_backward(dy, x, norm: nn.Module, weight, stats, needs: Needs):
    """``dx, dweight, dbias`` of BN for ``dy``; ``needs`` says whether the
    weight and bias gradients are wanted."""
    mean, var, batch_stats = stats
    if batch_stats:
        invstd = (var + norm.eps).rsqrt()
        running = (None, None)
        saved = (mean, invstd)
    else:
        running, saved = (mean, var), (None, None)
    return torch.ops.aten.native_batch_norm_backward(
        dy, x, weight, *running, *saved, batch_stats, norm.eps,
        [True, needs[0], needs[1]])


def _conv_backward(d_out, r, conv: nn.Module, weight, needs: Needs):
    """``dr, dweight, dbias`` of ``conv`` (weight ``weight``) at input
    ``r``."""
    dims = r.dim() - 2
    return torch.ops.aten.convolution_backward(
        d_out, r, weight, None if conv.bias is None else [conv.out_channels],
        conv.stride, conv.padding, conv.dilation, False, [0] * dims,
        conv.groups, [True, needs[0], needs[1]])


def _max_pool_backward(d_out, r, pool: nn.MaxPool3d):
    """Gradient of ``pool`` at input ``r``: the indices recomputed."""
    args = (pool.kernel_size, pool.stride, pool.padding, pool.dilation,
            pool.ceil_mode)
    _, indices = F.max_pool3d(r, *args, return_indices=True)
    return torch.ops.aten.max_pool3d_with_indices_backward(
        d_out, r, *args, indices)


class _BNReLUThen(torch.autograd.Function):
    """``then(ReLU(BN(x)))`` for a conv or max pool ``then``; keeps ``x``."""

    @staticmethod
    def forward(ctx, x, bn_weight, bn_bias, then_weight, then_bias, norm,
                then):
        ctx.norm, ctx.then = norm, then
        # the parameters too (no copies): their versions are checked
        ctx.save_for_backward(x, bn_weight, bn_bias, then_weight)
        return then(norm(x).relu_())

    @staticmethod
    def backward(ctx, d_out):
        x, bn_weight, bn_bias, then_weight = ctx.saved_tensors
        norm, then = ctx.norm, ctx.then
        r, stats = _relu_bn(x, norm, bn_weight, bn_bias)
        dthen_w = dthen_b = None
        if then_weight is None:  # max pool
            dr = _max_pool_backward(d_out, r, then)
        else:
            dr, dthen_w, dthen_b = _conv_backward(d_out, r, then, then_weight,
                                                  ctx.needs_input_grad[3:5])
        dy = torch.ops.aten.threshold_backward(dr, r, 0)
        dx, dbn_w, dbn_b = _bn_backward(dy, x, norm, bn_weight, stats,
                                        ctx.needs_input_grad[1:3])
        return dx, dbn_w, dbn_b, dthen_w, dthen_b, None, None


def bn_relu_conv(x: torch.Tensor, norm: nn.Module,
                 conv: nn.Module) -> torch.Tensor:
    """``conv(ReLU(norm(x)))``, keeping only ``x`` for backward.

    ``(N, C, *grid) -> (N, C_out, *grid')``; ``norm`` a plain BatchNorm,
    ``conv`` a plain convolution (see :func:`recomputable`).
    """
    return _BNReLUThen.apply(x, norm.weight, norm.bias, conv.weight, conv.bias,
                             norm, conv)


def bn_relu_max_pool(x: torch.Tensor, norm: nn.Module,
                     pool: nn.MaxPool3d) -> torch.Tensor:
    """``pool(ReLU(norm(x)))``, keeping only ``x`` for backward (no int64
    indices, no ReLU output). ``(N, C, T, H, W) -> (N, C, T', H', W')``."""
    return _BNReLUThen.apply(x, norm.weight, norm.bias, None, None, norm, pool)


class _MaxPoolKeepingInput(torch.autograd.Function):

    @staticmethod
    def forward(ctx, x, pool):
        ctx.pool = pool
        ctx.save_for_backward(x)
        return pool(x)

    @staticmethod
    def backward(ctx, d_out):
        x, = ctx.saved_tensors
        return _max_pool_backward(d_out, x, ctx.pool), None


def max_pool_keeping_input(x: torch.Tensor,
                           pool: nn.MaxPool3d) -> torch.Tensor:
    """``pool(x)`` that keeps ``x`` instead of int64 indices for backward:
    no extra memory where ``x`` is a ReLU output (kept by the ReLU).
    ``(N, C, T, H, W) -> (N, C, T', H', W')``."""
    return _MaxPoolKeepingInput.apply(x, pool)
