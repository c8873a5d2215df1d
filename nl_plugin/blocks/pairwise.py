"""Exact, memory-light aggregation for the four pairwise functions of the
paper.

Every function maps grouped embeddings to ``y_i = 1/C(x) * sum_j f(q_i, k_j)
v_j`` without materialising the full ``(L, S)`` affinity of ``L`` queries and
``S`` keys:

* softmax (Gaussian, embedded Gaussian): ``scaled_dot_product_attention``
  (flash / memory-efficient kernels) when query, key and value widths agree
  (embedded Gaussian), else (Gaussian: queries and keys are ``x`` itself) a
  chunked softmax whose chunks are recomputed in the backward pass;
* dot product: re-associated as ``q (k^T v) / S`` (when that is the cheaper
  order);
* concatenation: ``ReLU(a_i + b_j)`` is non-zero exactly for the keys with
  ``b_j > -a_i``, a prefix of the keys sorted by ``b``; prefix sums of ``v``
  and ``b * v`` give every query's sum in ``O((L + S) C)`` memory.

Inputs are ``(B, L, C)`` queries, ``(B, S, C)`` keys and ``(B, S, Cv)`` values.
"""
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

# Bytes of affinity one chunk of the chunked softmax may hold (fp32).
_CHUNK_BYTES = 32 * 2**20
_MIN_LOGIT = -60.0


def fp16_in_use(t: torch.Tensor) -> bool:
    """Whether ``t`` is fp16 or fp16 autocast is on for its device."""
    device = t.device.type
    return t.dtype == torch.float16 or (torch.is_autocast_enabled(device)
                                        and torch.get_autocast_dtype(device)
                                        == torch.float16)


def _float32(*tensors):
    """Casts half-precision tensors to fp32 (large activations overflow
    fp16)."""
    return [
        t.float() if t.dtype in (torch.float16, torch.bfloat16) else t
        for t in tensors
    ]


def _result_dtype(q: torch.Tensor) -> torch.dtype:
    """fp32 where fp16 is in use (the sums can exceed 65504), else ``q``'s
    dtype."""
    return torch.float32 if fp16_in_use(q) else q.dtype


def _softmax_rows(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                  scale: float) -> torch.Tensor:
    logits = torch.bmm(q, k.transpose(1,
                                      2))  # (B, l, C) x (B, C, S) -> (B, l, S)
    if scale != 1.0:
        logits.mul_(scale)
    with torch.no_grad():
        # Outside autograd and in place, so that the softmax output is the only
        # saved (B, l, S) tensor. The row-max shift leaves softmax unchanged.
        #     Logits
        # below it by more than 60 stay at -60: weights equal to fp32 precision
        # and none subnormal (~50x slower on CPUs); their gradient, below e^-60
        # of the row's largest, passes through as if unclamped.
        logits.sub_(logits.amax(dim=-1, keepdim=True)).clamp_(min=_MIN_LOGIT)
    weights = logits.softmax(dim=-1)
    return torch.bmm(weights, v)  # (B, l, S) x (B, S, Cv) -> (B, l, Cv)


def softmax_aggregate(q: torch.Tensor,
                      k: torch.Tensor,
                      v: torch.Tensor,
                      scale: float = 1.0) -> torch.Tensor:
    """``softmax(q k^T * scale) v`` for the Gaussian pairwise functions.

    Where fp16 is in use (fp16 inputs or fp16 autocast) it runs in fp32, so
    that large embeddings cannot overflow, and returns fp32; bf16 keeps its
    dtype.
    """
    if fp16_in_use(q):
        with torch.autocast(q.device.type, enabled=False):
            return softmax_aggregate(*_float32(q, k, v), scale)
    if q.shape[-1] == v.shape[-1]:
        # (B, 1, L, C) heads layout; the fused kernels need contiguous
        # channels.
        q, k, v = (t.contiguous().unsqueeze(1) for t in (q, k, v))
        return F.scaled_dot_product_attention(q, k, v, scale=scale).squeeze(1)
    return chunked_softmax_aggregate(q, k, v, scale)


def chunked_softmax_aggregate(q: torch.Tensor,
                              k: torch.Tensor,
                              v: torch.Tensor,
                              scale: float = 1.0,
                              chunk_bytes: int = _CHUNK_BYTES) -> torch.Tensor:
    """Softmax aggregation over query chunks, each recomputed in backward."""
    batch, num_queries, _ = q.shape
    rows = max(1, chunk_bytes // (4 * batch * k.shape[1]))
    if rows >= num_queries:
        return _softmax_rows(q, k, v, scale)
    needs_grad = torch.is_grad_enabled() and any(
        t.requires_grad for t in (q, k, v))
    chunks = []
    for start in range(0, num_queries, rows):
        q_chunk = q[:, start:start + rows]
        if needs_grad:
            chunks.append(
                checkpoint(
                    _softmax_rows, q_chunk, k, v, scale, use_reentrant=False))
        else:
            chunks.append(_softmax_rows(q_chunk, k, v, scale))
    return torch.cat(chunks, dim=1)


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
