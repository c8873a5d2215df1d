"""Exact, memory-light aggregation for the four pairwise functions of the
paper.

Every function maps grouped embeddings to ``y_i = 1/C(x) * sum_j f(q_i, k_j)
v_j`` without materialising the full ``(L, S)`` affinity of ``L`` queries and
``S`` keys:

* softmax (Gaussian, embedded Gaussian): on CPUs in fp32 a bmm-softmax that
  keeps its weights for backward while they fit a small budget and beyond it
  recomputes query chunks in backward (faster here than
  ``scaled_dot_product_attention``'s kernels at every non-local shape
  measured); the fused kernels on CUDA and in half precision, when query, key
  and value widths agree (embedded Gaussian);
* dot product: re-associated as ``q (k^T v) / S`` (when that is the cheaper
  order);
* concatenation: ``ReLU(a_i + b_j)`` is non-zero exactly for the keys with
  ``b_j > -a_i``, a prefix of the keys sorted by ``b``; prefix sums of ``v``
  and ``b * v`` give every query's sum in ``O((L + S) C)`` memory.

Inputs are ``(B, L, C)`` queries, ``(B, S, C)`` keys and ``(B, S, Cv)`` values.
"""
from typing import Optional

import torch
import torch.nn.functional as F

# The most (L, S) softmax weights (fp32 bytes) the CPU softmax holds: up to it
# they are kept for backward (a plain bmm-softmax, faster on CPUs than the
# fused kernels at non-local shapes), beyond it they are chunked over queries
# and recomputed in backward.
_AFFINITY_BYTES = 32 * 2**20
_MIN_SHIFT = 60.0  # see _kept_softmax
# Largest |q|, |k|, |v| the half-precision kernels get (fp16's max is 65504):
# the logits stay in the kernels' fp32 accumulators, y is a mean of v.
FP16_SAFE_MAX = 2.0**12
_HALF = (torch.float16, torch.bfloat16)


def compute_dtype(t: torch.Tensor) -> torch.dtype:
    """The dtype matmuls on ``t`` run in: autocast's where it is on."""
    device = t.device.type
    if torch.is_autocast_enabled(device):
        return torch.get_autocast_dtype(device)
    return t.dtype


def fp16_in_use(t: torch.Tensor) -> bool:
    """Whether ``t`` is fp16 or fp16 autocast is on for its device."""
    return t.dtype == torch.float16 or compute_dtype(t) == torch.float16


def fits_fp16(*tensors: torch.Tensor) -> bool:
    """Whether every entry is finite and at most :data:`FP16_SAFE_MAX` in
    magnitude (one host sync)."""
    amax = torch.stack([t.detach().abs().amax().float() for t in tensors])
    return bool((amax <= FP16_SAFE_MAX).all())


def _float32(*tensors):
    """Casts half-precision tensors to fp32 (large activations overflow
    fp16)."""
    return [t.float() if t.dtype in _HALF else t for t in tensors]


def _result_dtype(q: torch.Tensor) -> torch.dtype:
    """fp32 where fp16 is in use (the sums can exceed 65504), else ``q``'s
    dtype."""
    return torch.float32 if fp16_in_use(q) else q.dtype


def _sdpa(q, k, v, scale: float) -> torch.Tensor:
    """Fused attention: ``(B, L, C), (B, S, C), (B, S, C) -> (B, L, C)``."""
    # (B, 1, L, C) heads layout; the fused kernels need contiguous channels
    q, k, v = (t.contiguous().unsqueeze(1) for t in (q, k, v))
    return F.scaled_dot_product_attention(q, k, v, scale=scale).squeeze(1)


def softmax_aggregate(q: torch.Tensor,
                      k: torch.Tensor,
                      v: torch.Tensor,
                      scale: float = 1.0) -> torch.Tensor:
    """``softmax(q k^T * scale) v`` for the Gaussian pairwise functions.

    * half precision (fp16 / bf16 inputs or autocast), equal query and value
      widths (embedded Gaussian): the fused kernels in that precision; they
      form the logits in fp32. The caller keeps ``q, k, v`` within
      :data:`FP16_SAFE_MAX` under fp16 (:func:`fits_fp16`);
    * other half-precision cases (Gaussian: the queries are ``x`` itself):
      fp32, returned as fp32 under fp16 and as bf16 under bf16;
    * fp32 with equal widths on CUDA, or on CPUs where the batch fills the
      threads and the weights exceed the budget: the fused kernels;
    * otherwise :func:`chunked_softmax_aggregate` (bmm and softmax).
    """
    dtype, same_width = compute_dtype(q), q.shape[-1] == v.shape[-1]
    if dtype in _HALF and same_width:
        with torch.autocast(q.device.type, enabled=False):
            return _sdpa(q.to(dtype), k.to(dtype), v.to(dtype), scale)
    if dtype in _HALF:
        with torch.autocast(q.device.type, enabled=False):
            y = chunked_softmax_aggregate(*_float32(q, k, v), scale)
        return y if dtype == torch.float16 else y.to(dtype)
    if same_width and _fused_is_faster(q, k):
        return _sdpa(q, k, v, scale)
    return chunked_softmax_aggregate(q, k, v, scale)


def _fused_is_faster(q: torch.Tensor, k: torch.Tensor) -> bool:
    """CUDA; on CPUs where the weights exceed the budget and the batch fills
    the threads (the fused CPU backward runs one thread per batch entry; the
    chunked one recomputes its weights)."""
    if q.is_cuda:
        return True
    batch, num_queries, _ = q.shape
    too_large = 4 * batch * num_queries * k.shape[1] > _AFFINITY_BYTES
    return too_large and batch >= torch.get_num_threads()


def _logits(q, k, scale: float) -> torch.Tensor:
    """``q k^T * scale``: ``(B, l, C) x (B, C, S) -> (B, l, S)``."""
    logits = torch.bmm(q, k.transpose(1, 2))
    return logits.mul_(scale) if scale != 1.0 else logits


def _kept_softmax(q, k, v, scale: float) -> torch.Tensor:
    """bmm, softmax, bmm; autograd keeps the ``(B, L, S)`` weights."""
    logits = _logits(q, k, scale)
    with torch.no_grad():
        # Outside autograd and in place (the weights stay the only saved
        # (B, L, S) tensor): logits below the row max by more than 60 are
        # raised to max - 60, so that no weight is subnormal (~50x slower on
        # CPUs); the weights are equal to fp32 precision, and the gradient of
        # those below e^-60 of the row's largest passes as if unclamped.
        logits.clamp_(min=logits.amax(dim=-1, keepdim=True) - _MIN_SHIFT)
    return torch.bmm(logits.softmax(dim=-1), v)  # (B, L, S) x (B, S, Cv)


def _weights(q, k, scale: float, row_max=None, row_sum=None):
    """Softmax weights ``(B, l, S)`` of queries ``q (B, l, C)`` over keys ``k
    (B, S, C)`` with their row max and sum (recomputed with given ones)."""
    w = _logits(q, k, scale)
    if row_max is None:
        row_max = w.amax(dim=-1, keepdim=True)
    w.sub_(row_max).clamp_(min=-_MIN_SHIFT).exp_()  # as in _kept_softmax
    if row_sum is None:
        row_sum = w.sum(dim=-1, keepdim=True)
    return w.div_(row_sum), row_max, row_sum


class _ChunkedSoftmax(torch.autograd.Function):
    """``softmax(q k^T * scale) v`` over chunks of ``rows`` queries: only each
    row's max and sum are kept, backward recomputes the chunks' weights."""

    @staticmethod
    def forward(ctx, q, k, v, scale: float, rows: int):
        outs, stats = [], []
        for start in range(0, q.shape[1], rows):
            w, row_max, row_sum = _weights(q[:, start:start + rows], k, scale)
            outs.append(torch.bmm(w, v))  # (B, l, S) x (B, S, Cv)
            stats.append(torch.cat([row_max, row_sum], dim=-1))  # (B, l, 2)
        y = torch.cat(outs, dim=1)  # (B, L, Cv)
        ctx.scale, ctx.rows = scale, rows
        ctx.save_for_backward(q, k, v, y, *stats)
        return y

    @staticmethod
    def backward(ctx, dy):
        q, k, v, y, *stats = ctx.saved_tensors
        dq, dk, dv = torch.empty_like(q), None, None
        for chunk, start in enumerate(range(0, q.shape[1], ctx.rows)):
            rows = slice(start, start + ctx.rows)
            row_max, row_sum = stats[chunk].split(1, dim=-1)
            w = _weights(q[:, rows], k, ctx.scale, row_max, row_sum)[0]
            dq[:, rows], dk_c, dv_c = _chunk_grads(w, q[:, rows], k, v,
                                                   y[:, rows], dy[:, rows],
                                                   ctx.scale)
            dk = dk_c if dk is None else dk.add_(dk_c)
            dv = dv_c if dv is None else dv.add_(dv_c)
        return dq, dk, dv, None, None


def _chunk_grads(w, q, k, v, y, dy, scale: float):
    """Gradients of ``y = w v``, ``w = softmax(q k^T * scale)`` for the
    queries ``q (B, l, C)`` of one chunk: ``dq`` and its shares of ``dk``,
    ``dv``. Overwrites nothing but its own temporaries."""
    dv = torch.bmm(w.transpose(1, 2), dy)  # (B, S, l) x (B, l, Cv)
    dw = torch.bmm(dy, v.transpose(1, 2))  # (B, l, Cv) x (B, Cv, S)
    # softmax backward: dlogit_ij = w_ij (dw_ij - sum_s w_is dw_is), and
    # sum_s w_is dw_is = dy_i . y_i
    row_dot = (dy * y).sum(dim=-1, keepdim=True)  # (B, l, 1)
    dlogits = dw.sub_(row_dot).mul_(w)
    if scale != 1.0:
        dlogits.mul_(scale)
    dq = torch.bmm(dlogits, k)  # (B, l, S) x (B, S, C)
    dk = torch.bmm(dlogits.transpose(1, 2), q)  # (B, S, l) x (B, l, C)
    return dq, dk, dv


def chunked_softmax_aggregate(
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        scale: float = 1.0,
        chunk_bytes: Optional[int] = None) -> torch.Tensor:
    """``softmax(q k^T * scale) v`` holding at most ``chunk_bytes`` (default
    :data:`_AFFINITY_BYTES`) of fp32 ``(L, S)`` weights: all of them, kept for
    backward, where they fit, else chunks of queries whose weights backward
    recomputes."""
    chunk_bytes = chunk_bytes or _AFFINITY_BYTES
    batch, num_queries, _ = q.shape
    rows = max(1, chunk_bytes // (4 * batch * k.shape[1]))
    if rows >= num_queries:
        return _kept_softmax(q, k, v, scale)
    return _ChunkedSoftmax.apply(q, k, v, scale, rows)


def dot_product_aggregate(q: torch.Tensor, k: torch.Tensor,
                          v: torch.Tensor) -> torch.Tensor:
    """``(q k^T / S) v`` in fp32, in whichever matmul order costs fewer FLOPs.

    Returns fp32 where fp16 is in use, else ``q``'s dtype.

    ``q (k^T v)`` costs ``(L + S) C Cv`` and never forms the ``(L, S)``
    affinity; ``(q k^T) v`` costs ``L S (C + Cv)`` and wins only on small maps,
    where the affinity is small too.
    """
    out_dtype = _result_dtype(q)
    (_, num_queries, channels), num_keys = q.shape, k.shape[1]
    value_channels = v.shape[-1]
    with torch.autocast(q.device.type, enabled=False):
        q, k, v = _float32(q, k, v)
        k = k / num_keys
        if (num_queries + num_keys) * channels * value_channels <= \
                num_queries * num_keys * (channels + value_channels):
            # (B, C, S) x (B, S, Cv) -> (B, C, Cv); (B, L, C) x (B, C, Cv) ->
            # (B, L, Cv)
            y = torch.bmm(q, torch.bmm(k.transpose(1, 2), v))
        else:
            # (B, L, C) x (B, C, S) -> (B, L, S); x (B, S, Cv) -> (B, L, Cv)
            y = torch.bmm(torch.bmm(q, k.transpose(1, 2)), v)
        return y.to(out_dtype)


def concatenation_aggregate(a: torch.Tensor, b: torch.Tensor,
                            v: torch.Tensor) -> torch.Tensor:
    """``(1/S) sum_j ReLU(a_i + b_j) v_j`` without the ``(L, S)`` matrix.

    Args:
        a (Tensor): ``(B, L)`` query halves of the projection ``w_f^T [theta_i,
            phi_j]``.
        b (Tensor): ``(B, S)`` key halves of that projection.
        v (Tensor): ``(B, S, Cv)`` values.

    Returns:
        Tensor: ``(B, L, Cv)``, fp32 where fp16 is in use, else ``v``'s dtype.
    """
    out_dtype = _result_dtype(v)
    with torch.autocast(v.device.type, enabled=False):
        a, b, v = _float32(a, b, v)
        num_keys = b.shape[1]
        b_desc, order = b.sort(dim=1, descending=True)  # (B, S)
        v_desc = v.gather(1, order.unsqueeze(-1).expand_as(v))  # (B, S, Cv)
        zero = v.new_zeros(v.shape[0], 1, v.shape[2])
        # prefix sums over keys sorted by b: entry n sums the first n keys
        sum_v = torch.cat([zero, v_desc.cumsum(dim=1)], dim=1)  # (B, S+1, Cv)
        sum_bv = torch.cat(
            [zero, (b_desc.unsqueeze(-1) * v_desc).cumsum(dim=1)],
            dim=1)  # (B, S+1, Cv)
        # number of keys with b_j > -a_i, i.e. with a positive ReLU argument
        b_asc = b_desc.detach().flip(1).contiguous()
        active = num_keys - torch.searchsorted(
            b_asc, (-a.detach()).contiguous(), right=True)  # (B, L)
        index = active.unsqueeze(-1).expand(-1, -1, v.shape[2])  # (B, L, Cv)
        y = a.unsqueeze(-1) * sum_v.gather(1, index) + sum_bv.gather(1, index)
        return (y / num_keys).to(out_dtype)
