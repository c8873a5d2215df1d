"""Exact, memory-light aggregation for the four pairwise functions of the
paper.

Every function maps grouped embeddings to ``y_i = 1/C(x) * sum_j f(q_i, k_j)
v_j`` without materialising the full ``(L, S)`` affinity of ``L`` queries and
``S`` keys:

* softmax (Gaussian, embedded Gaussian): on CPUs in fp32 a bmm-softmax over
  chunks of queries that keeps for backward, within a small budget, each
  chunk's weights: sparse where few are non-negligible (as the activations of
  trained-like networks give), else dense, else none (backward recomputes
  them); faster here than ``scaled_dot_product_attention``'s kernels at every
  non-local shape measured; also with a per-key logit term (the reassociated
  embedded Gaussian's, see :mod:`.reassociation`). Its products, and the dot
  product's, run on BLAS or oneDNN, whichever is faster (:mod:`.products`).
  The fused kernels on CUDA and in half precision, when query, key and value
  widths agree (embedded Gaussian);
* dot product: re-associated as ``q (k^T v) / S`` (when that is the cheaper
  order);
* concatenation: ``ReLU(a_i + b_j)`` is non-zero exactly for the keys with
  ``b_j > -a_i``, a prefix of the keys sorted by ``b``; prefix sums of ``v``
  and ``b * v`` give every query's sum in ``O((L + S) C)`` memory.

Inputs are ``(B, L, C)`` queries, ``(B, S, C)`` keys and ``(B, S, Cv)`` values.
"""
import math
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F

from .products import add_bmm_, baddbmm, bmm, onednn_runs

# The most bytes of (L, S) softmax weights the chunked softmax forms at once
# (a chunk of queries): well below glibc's largest mmap threshold (32 MB), so
# the chunks' temporaries are reused heap memory, not fresh maps (embedded
# Gaussian at res3 of a 128-frame clip, dense weights: no page faults for
# them, where 32 MB chunks page-faulted ~280 MB every forward + backward of
# the attention: 12544 queries, 3136 keys, 256 channels).
_CHUNK_BYTES = 8 * 2**20
# Weights of at most this many bytes in all are formed whole, in one chunk, as
# mmcv does (res4 of a 128-frame NL-I3D clip, dense weights, 9.8 MB: two 8 MB
# chunks and their concatenation took ~3% longer than mmcv's one product).
_WHOLE_BYTES = 16 * 2**20
# The most bytes of weights the chunks keep for backward, all together.
_KEEP_BYTES = 32 * 2**20
_MIN_SHIFT = 60.0  # see _clamped_logits
# Chunks with at most this share of non-negligible weights keep them sparse.
# Forward + backward of the attention on real activations (NL-I3D R50,
# Kaiming-initialised embeddings, queries scaled to vary the share; 2 CPU
# cores), sparse against dense: where the dense weights are kept, break-even
# at 1.2-1.3% (res3 and res4 of 32-frame clips, res4 of 128-frame ones; 1.2x
# the dense time at 1.6%); where they are recomputed, 0.93x at 1.3% and 2.4x
# at 4% (res3 of 128-frame clips).
_SPARSE_DENSITY = 1 / 64  # dense weights would be recomputed
_SPARSE_DENSITY_KEPT = 1 / 96  # dense weights would be kept
_GATHER_BYTES = 8 * 2**20  # temporaries of the sparse backward
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
                      scale: float = 1.0,
                      key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``softmax((q k^T + key_bias) * scale) v`` for the Gaussian pairwise
    functions; ``key_bias (B, S)``, one logit term per key, is optional.

    * half precision (fp16 / bf16 inputs or autocast), equal query and value
      widths (embedded Gaussian): the fused kernels in that precision; they
      form the logits in fp32. The caller keeps ``q, k, v`` within
      :data:`FP16_SAFE_MAX` under fp16 (:func:`fits_fp16`);
    * other half-precision cases (Gaussian: the queries are ``x`` itself):
      fp32, returned as fp32 under fp16 and as bf16 under bf16;
    * fp32 with equal widths on CUDA, or on CPUs where the batch fills the
      threads and the weights exceed the budget: the fused kernels;
    * otherwise, and wherever there is a ``key_bias``,
      :func:`chunked_softmax_aggregate` (bmm and softmax; also where the
      fused kernels would be faster on dense weights but probed queries show
      sparse ones).
    """
    if key_bias is not None:
        return chunked_softmax_aggregate(q, k, v, scale, key_bias=key_bias)
    dtype, same_width = compute_dtype(q), q.shape[-1] == v.shape[-1]
    if dtype in _HALF and same_width:
        with torch.autocast(q.device.type, enabled=False):
            return _sdpa(q.to(dtype), k.to(dtype), v.to(dtype), scale)
    if dtype in _HALF:
        with torch.autocast(q.device.type, enabled=False):
            y = chunked_softmax_aggregate(*_float32(q, k, v), scale)
        return y if dtype == torch.float16 else y.to(dtype)
    if same_width and _fused_is_faster(q, k, scale):
        return _sdpa(q, k, v, scale)
    return chunked_softmax_aggregate(q, k, v, scale)


def _fused_is_faster(q: torch.Tensor, k: torch.Tensor, scale: float) -> bool:
    """CUDA; on CPUs with the chunks' products on BLAS, where the weights
    exceed the budget, the batch fills the threads (the fused CPU backward
    runs one thread per batch entry) and the weights are not sparse (the
    chunks keep sparse weights for backward). With oneDNN products the chunks
    were faster (res3 of a 128-frame clip at batch 2, dense weights, a
    throwaway script: 1.0-1.3 s forward + backward, the fused kernels
    1.5-1.6 s)."""
    if q.is_cuda:
        return True
    if onednn_runs(q, k):
        return False
    batch, num_queries, _ = q.shape
    too_large = 4 * batch * num_queries * k.shape[1] > _KEEP_BYTES
    return (too_large and batch >= torch.get_num_threads()
            and not _probe_is_sparse(q, k, scale))


def _logits(q, k, scale: float, key_bias=None) -> torch.Tensor:
    """``(q k^T + key_bias) * scale``: ``(B, l, C) x (B, C, S) (+ (B, 1, S))
    -> (B, l, S)``."""
    if key_bias is None:
        logits = bmm(q, k.transpose(1, 2), contiguous=True)
    else:
        logits = baddbmm(key_bias.unsqueeze(1), q, k.transpose(1, 2))
    return logits.mul_(scale) if scale != 1.0 else logits


def _clamped_logits(q, k, scale: float, key_bias=None):
    """Logits ``(B, l, S)`` no lower than their row max ``(B, l, 1)`` less
    60, and that max: no softmax weight is subnormal (~50x slower bmm on
    CPUs); weights below e^-60 of their row's largest are raised to it,
    their gradient passes as if unclamped."""
    logits = _logits(q, k, scale, key_bias)
    row_max = logits.amax(dim=-1, keepdim=True)
    return logits.clamp_(min=row_max - _MIN_SHIFT), row_max


def _negligible_below(logits: torch.Tensor) -> float:
    """Logit offset from the row max below which a weight is dropped from
    sparse weights: each is under ``u / S`` of the row's largest (``u``: the
    dtype's unit roundoff, ``S`` keys), so together they are under ``u``
    times it."""
    return math.log(torch.finfo(logits.dtype).eps / 2 / logits.shape[-1])


def _active(logits, row_max) -> torch.Tensor:
    """Which weights of clamped ``logits (B, l, S)`` are non-negligible."""
    return logits > row_max + _negligible_below(logits)


def _is_sparse(active: torch.Tensor, density: float) -> bool:
    """Whether at most ``density`` of ``active`` are set."""
    return active.sum().item() <= density * active.numel()


def _probe_is_sparse(q, k, scale: float, probes: int = 64) -> bool:
    """Whether the weights of ``probes`` evenly spaced queries are sparse."""
    stride = max(1, q.shape[1] // probes)
    return _is_sparse(
        _active(*_clamped_logits(q[:, ::stride], k, scale)), _SPARSE_DENSITY)


def _sparse_weights(w: torch.Tensor, active: torch.Tensor):
    """The ``active`` entries of weights ``w (B, l, S)`` as a coalesced sparse
    ``(B l, B S)`` block-diagonal matrix."""
    batch, num_queries, num_keys = w.shape
    b, i, j = active.nonzero(as_tuple=True)
    indices = torch.stack([b * num_queries + i, b * num_keys + j])
    return torch.sparse_coo_tensor(
        indices,
        w[active], (batch * num_queries, batch * num_keys),
        is_coalesced=True,
        check_invariants=False)


def _nbytes(record) -> int:
    """Bytes that kept weights (dense, sparse or ``None``) hold."""
    if record is None:
        return 0
    if record.is_sparse:  # two int64 indices and a value per entry
        return record._nnz() * (16 + record.element_size())
    return record.numel() * record.element_size()


def _attend(q, k, v, scale: float, budget: int, key_bias=None):
    """``y (B, l, Cv)`` of queries ``q (B, l, C)`` and what backward keeps of
    their weights within ``budget`` bytes: their non-negligible entries where
    few are (at most :data:`_SPARSE_DENSITY_KEPT` if all would fit the
    budget, else :data:`_SPARSE_DENSITY`), else all of them, else ``None``
    (recomputed)."""
    logits, row_max = _clamped_logits(q, k, scale, key_bias)
    dense_fits = _nbytes(logits) <= budget  # the weights take as many bytes
    density = _SPARSE_DENSITY_KEPT if dense_fits else _SPARSE_DENSITY
    # every 16th query first: dense chunks skip the full mask
    sparse = budget > 0 and _is_sparse(
        _active(logits[:, ::16], row_max[:, ::16]), density)
    if sparse:
        active = _active(logits, row_max)
        sparse = _is_sparse(active, density)
    w = logits.softmax(dim=-1)
    del logits
    if sparse:
        entries = _sparse_weights(w, active)
        if _nbytes(entries) <= budget:
            # (B l, B S) x (B S, Cv) -> (B l, Cv)
            y = torch.sparse.mm(entries, v.flatten(0, 1))
            return y.view(*q.shape[:2], -1), entries
    y = bmm(w, v)  # (B, l, S) x (B, S, Cv)
    return y, (w if dense_fits else None)


class _KeyGrads(NamedTuple):
    """Gradients of the keys ``(B, S, C)``, values ``(B, S, Cv)`` and key
    bias ``(B, S)`` (``None`` without one), summed over the chunks."""
    k: torch.Tensor
    v: torch.Tensor
    bias: Optional[torch.Tensor]


class _SoftmaxAttention(torch.autograd.Function):
    """``softmax((q k^T + key_bias) * scale) v`` over chunks of ``rows``
    queries; each chunk keeps what :func:`_attend` gives it of the
    ``budget`` bytes, and backward recomputes the weights of those that got
    none."""

    @staticmethod
    def forward(ctx, q, k, v, key_bias, scale: float, rows: int, budget: int):
        outs, ctx.records = [], []
        for start in range(0, q.shape[1], rows):
            y, record = _attend(q[:, start:start + rows], k, v, scale, budget,
                                key_bias)
            budget -= _nbytes(record)
            outs.append(y)
            ctx.records.append(record)
        y = outs[0] if len(outs) == 1 else torch.cat(outs, dim=1)  # (B, L, Cv)
        ctx.scale, ctx.rows = scale, rows
        ctx.save_for_backward(q, k, v, key_bias)
        return y

    @staticmethod
    def backward(ctx, dy):
        q, k, v, key_bias = ctx.saved_tensors
        dq = torch.empty_like(q)
        # contiguous whatever the layout of k and v, so that the chunks'
        # products accumulate in place (baddbmm): at res3 of a 128-frame clip
        # dk's products and sums took 14% less time so than adding each
        # chunk's product to a buffer in k's (transposed) layout
        grads = _KeyGrads(
            k.new_zeros(k.shape), v.new_zeros(v.shape),
            None if key_bias is None else key_bias.new_zeros(key_bias.shape))
        starts = range(0, q.shape[1], ctx.rows)
        for start, record in zip(starts, ctx.records):
            rows = slice(start, start + ctx.rows)
            if record is None:  # recomputed
                record = _clamped_logits(q[:, rows], k, ctx.scale,
                                         key_bias)[0].softmax(dim=-1)
            grads_of = _sparse_grads if record.is_sparse else _dense_grads
            dq[:, rows] = grads_of(record, q[:, rows], k, v, dy[:, rows],
                                   ctx.scale, grads)
        ctx.records = None
        return dq, grads.k, grads.v, grads.bias, None, None, None


def _dense_grads(w, q, k, v, dy, scale: float, grads: _KeyGrads):
    """Gradients of ``y = w v``, ``w = softmax((q k^T + key_bias) * scale)``
    for the queries ``q (B, l, C)`` of one chunk: returns ``dq``, adds the
    chunk's shares to ``grads``. Overwrites nothing else."""
    add_bmm_(grads.v, w.transpose(1, 2), dy)  # (B, S, l) x (B, l, Cv)
    # (B, l, Cv) x (B, Cv, S)
    dw = bmm(dy, v.transpose(1, 2), contiguous=True)
    # w_ij (dw_ij - sum_s w_is dw_is): autograd's own softmax backward (the
    # sum from dw itself, not as dy_i . y_i, which rounds worse where one
    # weight dominates)
    dlogits = torch._softmax_backward_data(dw, w, -1, w.dtype)
    if scale != 1.0:
        dlogits.mul_(scale)
    add_bmm_(grads.k, dlogits.transpose(1, 2), q)  # (B, S, l) x (B, l, C)
    if grads.bias is not None:
        grads.bias.add_(dlogits.sum(dim=1))
    return bmm(dlogits, k)  # (B, l, S) x (B, S, C)


def _sparse_grads(w, q, k, v, dy, scale: float, grads: _KeyGrads):
    """:func:`_dense_grads` from the sparse weights ``w`` (sparse ``(B l, B
    S)``) of one chunk."""
    batch, num_queries, _ = q.shape
    q, k, v, dy = (t.reshape(-1, t.shape[-1]) for t in (q, k, v, dy))
    rows, cols = w.indices()
    # (B S, B l) x (B l, Cv)
    grads.v.view(-1, v.shape[-1]).add_(torch.sparse.mm(w.t(), dy))
    dw = _row_dots(dy, rows, v, cols)  # (nnz, )
    row_dot = dy.new_zeros(dy.shape[0]).index_add_(0, rows, w.values() * dw)
    dlogits = torch.sparse_coo_tensor(
        w.indices(),
        w.values() * (dw - row_dot[rows]) * scale,
        w.shape,
        is_coalesced=True,
        check_invariants=False)
    # (B S, B l) x (B l, C)
    grads.k.view(-1, k.shape[-1]).add_(torch.sparse.mm(dlogits.t(), q))
    if grads.bias is not None:
        grads.bias.view(-1).index_add_(0, cols, dlogits.values())
    dq = torch.sparse.mm(dlogits, k)  # (B l, B S) x (B S, C)
    return dq.view(batch, num_queries, -1)


def _row_dots(a, rows, b, cols) -> torch.Tensor:
    """``a[rows[n]] . b[cols[n]]`` for every ``n``, gathered in pieces of at
    most :data:`_GATHER_BYTES`."""
    piece = max(1, _GATHER_BYTES // (2 * a.shape[-1] * a.element_size()))
    return torch.cat([(a[rows[n:n + piece]] * b[cols[n:n + piece]]).sum(-1)
                      for n in range(0, rows.numel(), piece)])


def _plain_softmax(q, k, v, scale: float, key_bias=None) -> torch.Tensor:
    """bmm, softmax, bmm on autograd's own ops (traced and compiled)."""
    logits, _ = _clamped_logits(q, k, scale, key_bias)
    return torch.bmm(logits.softmax(dim=-1), v)


def chunked_softmax_aggregate(
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        scale: float = 1.0,
        chunk_bytes: Optional[int] = None,
        keep_bytes: Optional[int] = None,
        key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``softmax((q k^T + key_bias) * scale) v`` over chunks of queries whose
    weights take at most ``chunk_bytes`` (default: all of them up to
    :data:`_WHOLE_BYTES`, else :data:`_CHUNK_BYTES`);
    backward keeps at most ``keep_bytes`` (default :data:`_KEEP_BYTES`) of
    them (see :func:`_attend`)."""
    keep_bytes = _KEEP_BYTES if keep_bytes is None else keep_bytes
    if torch.jit.is_tracing() or torch.compiler.is_compiling():
        return _plain_softmax(q, k, v, scale, key_bias)
    batch, num_queries, _ = q.shape
    row_bytes = q.element_size() * batch * k.shape[1]
    if chunk_bytes is None:
        fits_whole = row_bytes * num_queries <= _WHOLE_BYTES
        chunk_bytes = row_bytes * num_queries if fits_whole else _CHUNK_BYTES
    most = max(1, chunk_bytes // row_bytes)
    # as many chunks as needed, of equal size (no small last chunk)
    rows = math.ceil(num_queries / math.ceil(num_queries / most))
    return _SoftmaxAttention.apply(q, k, v, key_bias, scale, rows, keep_bytes)


def dot_product_aggregate(
        q: torch.Tensor,
        k: torch.Tensor,
        v: torch.Tensor,
        key_bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``((q k^T + key_bias) / S) v`` in fp32, in whichever matmul order costs
    fewer FLOPs; ``key_bias (B, S)``, one term per key, is optional.

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
        if key_bias is not None:
            key_bias = _float32(key_bias)[0] / num_keys  # (B, S)
        if (num_queries + num_keys) * channels * value_channels <= \
                num_queries * num_keys * (channels + value_channels):
            # (B, C, S) x (B, S, Cv) -> (B, C, Cv); (B, L, C) x (B, C, Cv) ->
            # (B, L, Cv)
            y = bmm(q, bmm(k.transpose(1, 2), v))
            if key_bias is not None:  # + (B, 1, S) x (B, S, Cv)
                y = y + torch.bmm(key_bias.unsqueeze(1), v)
        else:
            # (B, L, C) x (B, C, S) -> (B, L, S); x (B, S, Cv) -> (B, L, Cv)
            y = bmm(_logits(q, k, 1.0, key_bias), v)
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
