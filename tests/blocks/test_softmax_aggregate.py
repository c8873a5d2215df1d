"""The chunked softmax of the Gaussian pairwise functions against einsum:
every way a chunk keeps its weights for backward (dense, sparse, recomputed)
gives the same output and gradients."""
import pytest
import torch

from nl_plugin.blocks import pairwise, products


def _kinds(monkeypatch) -> list:
    """What each chunk of the next calls keeps for backward."""
    kinds, attend = [], pairwise._attend

    def spy(*args):
        y, record = attend(*args)
        kinds.append('recomputed' if record is
                     None else 'sparse' if record.is_sparse else 'dense')
        return y, record

    monkeypatch.setattr(pairwise, '_attend', spy)
    return kinds


def _inputs(peaked_rows: slice, num_keys=160, value_channels=6):
    """fp64 ``q (2, 50, 6)``, ``k``, ``v``; the queries in ``peaked_rows``
    are scaled so that each puts its weight on one or two keys."""
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(2, 50, 6, dtype=torch.float64, generator=gen)
    q[:, peaked_rows] *= 400
    k = torch.randn(2, num_keys, 6, dtype=torch.float64, generator=gen)
    v = torch.randn(
        2, num_keys, value_channels, dtype=torch.float64, generator=gen)
    return [t.requires_grad_(True) for t in (q, k, v)]


def _key_bias(num_keys=160):
    """fp64 per-key logit terms ``(2, num_keys)``."""
    gen = torch.Generator().manual_seed(2)
    return torch.randn(
        2, num_keys, dtype=torch.float64, generator=gen).requires_grad_(True)


def _assert_matches_einsum(q,
                           k,
                           v,
                           chunk_bytes,
                           keep_bytes=None,
                           key_bias=None):
    """Chunks of ``chunk_bytes``, keeping as much (or ``keep_bytes``)."""
    keep_bytes = chunk_bytes if keep_bytes is None else keep_bytes
    got = pairwise.chunked_softmax_aggregate(
        q, k, v, 0.5, chunk_bytes, keep_bytes, key_bias=key_bias)
    logits = torch.einsum('blc,bsc->bls', q, k)
    if key_bias is not None:
        logits = logits + key_bias[:, None, :]
    want = torch.einsum('bls,bsc->blc', (logits * 0.5).softmax(dim=-1), v)
    torch.testing.assert_close(got, want)
    grad = torch.randn_like(want)
    inputs = (q, k, v) + (() if key_bias is None else (key_bias, ))
    for a, b in zip(
            torch.autograd.grad(got, inputs, grad),
            torch.autograd.grad(want, inputs, grad)):
        torch.testing.assert_close(a, b)


ROW = 8 * 2 * 160  # bytes of one query's fp64 weights over the batch


@pytest.mark.parametrize(
    'peaked,chunk_bytes,kinds',
    [
        (slice(0), 2**30, ['dense']),  # all kept, one chunk
        # chunks of 7 queries: the first kept (it fills the budget), the rest
        # recomputed in backward
        (slice(0), 7 * ROW, ['dense'] + ['recomputed'] * 7),
        (slice(0), 1, ['recomputed'] * 50),  # a budget below one query
        (slice(None), 2**30, ['sparse']),
        (slice(None), 7 * ROW, ['sparse'] * 8),
        # sparse chunks, then dense ones that no longer fit the budget, but
        # the last query (a chunk of one) does
        (slice(0,
               21), 7 * ROW, ['sparse'] * 3 + ['recomputed'] * 4 + ['dense']),
    ])
@pytest.mark.parametrize('value_channels', (6, 4))
@pytest.mark.parametrize('with_key_bias', (False, True))
def test_every_record_matches_einsum(peaked, chunk_bytes, kinds,
                                     value_channels, with_key_bias,
                                     monkeypatch):
    """Also with a per-key logit term (the reassociated embedded Gaussian's
    ``b_theta . phi_j``) and its gradient."""
    seen = _kinds(monkeypatch)
    q, k, v = _inputs(peaked, value_channels=value_channels)
    key_bias = _key_bias() if with_key_bias else None
    _assert_matches_einsum(q, k, v, chunk_bytes, key_bias=key_bias)
    assert seen == kinds


def test_key_bias_takes_the_chunked_path(monkeypatch):
    """The fused kernels have no per-key term: a key bias never reaches
    them, even where they would win."""
    monkeypatch.setattr(pairwise, '_fused_is_faster', lambda *args: True)
    q, k, v = (t.detach() for t in _inputs(slice(0)))
    key_bias = _key_bias().detach()
    got = pairwise.softmax_aggregate(q, k, v, 0.5, key_bias=key_bias)
    logits = torch.einsum('blc,bsc->bls', q, k) + key_bias[:, None, :]
    want = torch.einsum('bls,bsc->blc', (logits * 0.5).softmax(dim=-1), v)
    torch.testing.assert_close(got, want)


def test_chunks_keep_up_to_their_own_budget(monkeypatch):
    """The budget is independent of the chunk size: chunks of 7 queries
    keep three chunks' worth of weights, the rest are recomputed."""
    seen = _kinds(monkeypatch)
    _assert_matches_einsum(*_inputs(slice(0)), 7 * ROW, 21 * ROW)
    assert seen == ['dense'] * 3 + ['recomputed'] * 5


def test_chunks_are_of_equal_size(monkeypatch):
    """50 queries, at most 40 a chunk: two chunks of 25, not 40 and 10."""
    rows, attend = [], pairwise._attend

    def spy(q, *args):
        rows.append(q.shape[1])
        return attend(q, *args)

    monkeypatch.setattr(pairwise, '_attend', spy)
    _assert_matches_einsum(*_inputs(slice(0)), 40 * ROW)
    assert rows == [25, 25]


def test_sparse_rows_of_several_keys_match_einsum(monkeypatch):
    """Keys in clusters of 4 near-copies: each peaked query weighs the 4 keys
    of its nearest cluster (all non-negligible, 0.6% of 640), so the sparse
    gradients mix several entries per row."""
    seen = _kinds(monkeypatch)
    gen = torch.Generator().manual_seed(1)
    centres = torch.randn(2, 160, 1, 6, dtype=torch.float64, generator=gen)
    k = (centres +
         0.005 * torch.randn(2, 160, 4, 6, dtype=torch.float64, generator=gen)
         ).flatten(1, 2)
    q = 400 * torch.randn(2, 50, 6, dtype=torch.float64, generator=gen)
    v = torch.randn(2, 640, 6, dtype=torch.float64, generator=gen)
    active = pairwise._active(*pairwise._clamped_logits(q, k, 0.5))
    assert active.sum(-1).double().mean() > 3  # non-negligible keys a query
    _assert_matches_einsum(*(t.requires_grad_(True) for t in (q, k, v)), 2**30)
    assert seen == ['sparse']


def test_few_keys_are_never_sparse(monkeypatch):
    """With 30 keys every row's largest weight alone is 1/30 of the entries,
    more than the sparse share."""
    seen = _kinds(monkeypatch)
    _assert_matches_einsum(*_inputs(slice(None), num_keys=30), 2**30)
    assert seen == ['dense']


@pytest.mark.parametrize('keep_bytes,kinds',
                         [(2**30, ['dense']),
                          (2 * 8 * 50 * 88 // 2, ['sparse'])])
def test_sparse_share_depends_on_whether_dense_weights_fit(
        keep_bytes, kinds, monkeypatch):
    """1.4% non-negligible weights (88 keys): dense where all the weights fit
    the budget (sparse only up to 1/96), sparse where they would have been
    recomputed (up to 1/64)."""
    seen = _kinds(monkeypatch)
    q, k, v = _inputs(slice(None), num_keys=88)
    active = pairwise._active(*pairwise._clamped_logits(q, k, 0.5))
    assert 1 / 96 < active.double().mean() < 1 / 64
    _assert_matches_einsum(q, k, v, 2**30, keep_bytes)
    assert seen == kinds


@pytest.mark.parametrize(
    'whole_bytes,chunks',
    [
        (50 * ROW, [50]),  # the weights fit: one chunk, as mmcv computes them
        (50 * ROW - 1, [25, 25]),  # else equal chunks of at most _CHUNK_BYTES
    ])
def test_default_chunks(whole_bytes, chunks, monkeypatch):
    sizes, attend = [], pairwise._attend

    def spy(q, *args):
        sizes.append(q.shape[1])
        return attend(q, *args)

    monkeypatch.setattr(pairwise, '_attend', spy)
    monkeypatch.setattr(pairwise, '_WHOLE_BYTES', whole_bytes)
    monkeypatch.setattr(pairwise, '_CHUNK_BYTES', 40 * ROW)
    q, k, v = _inputs(slice(0))
    pairwise.chunked_softmax_aggregate(q, k, v, 0.5)
    assert sizes == chunks


def test_dropped_weights_are_below_rounding():
    """Sparse weights drop only entries under u / S of their row's largest:
    fp32 outputs equal the dense fp32 ones to rounding."""
    q, k, v = (t.detach().float() for t in _inputs(slice(None)))
    q[:, :, 0] += 0.3  # weights spread over a few keys
    sparse = pairwise.chunked_softmax_aggregate(q, k, v, 0.5)
    weights = (torch.einsum('blc,bsc->bls', q, k) * 0.5).softmax(dim=-1)
    dense = torch.einsum('bls,bsc->blc', weights, v)
    torch.testing.assert_close(sparse, dense, rtol=1e-6, atol=1e-6)


def test_no_record_outlives_backward(monkeypatch):
    seen = _kinds(monkeypatch)
    q, k, v = _inputs(slice(None))
    y = pairwise.chunked_softmax_aggregate(q, k, v, 0.5)
    node = y.grad_fn
    y.sum().backward()
    assert seen == ['sparse'] and node.records is None


def test_traced_is_plain_autograd():
    """Traced (ONNX export) the softmax is bmm, softmax, bmm."""
    q, k, v = (t.detach() for t in _inputs(slice(None)))
    traced = torch.jit.trace(
        lambda q, k, v: pairwise.chunked_softmax_aggregate(q, k, v, 0.5),
        (q, k, v))
    ops = {node.kind() for node in traced.graph.nodes()}
    assert {'aten::bmm', 'aten::softmax'} <= ops
    torch.testing.assert_close(
        traced(q, k, v), pairwise.chunked_softmax_aggregate(q, k, v, 0.5))


@pytest.mark.parametrize('peaked,fused', [(slice(0), True),
                                          (slice(None), False)])
def test_fused_kernels_only_where_weights_are_dense(peaked, fused,
                                                    monkeypatch):
    """Beyond the budget with the threads filled by the batch the fused CPU
    kernels win on dense weights over BLAS products (fp64 never runs on
    oneDNN); probed queries with sparse weights keep the chunked path."""
    monkeypatch.setattr(pairwise, '_KEEP_BYTES', 1024)
    monkeypatch.setattr(torch, 'get_num_threads', lambda: 2)
    q, k, _ = (t.detach() for t in _inputs(peaked))
    assert pairwise._fused_is_faster(q, k, 0.5) is fused


@pytest.mark.parametrize('kernel,fused', [('blas', True), ('onednn', False)])
def test_fused_kernels_lose_to_onednn_products(kernel, fused, monkeypatch):
    """Dense fp32 weights beyond the budget, threads filled by the batch: the
    chunks run on oneDNN's products where those are in use."""
    monkeypatch.setattr(pairwise, '_KEEP_BYTES', 1024)
    monkeypatch.setattr(torch, 'get_num_threads', lambda: 2)
    monkeypatch.setattr(products, '_kernel', kernel)
    q, k, _ = (t.detach().float() for t in _inputs(slice(0)))
    assert pairwise._fused_is_faster(q, k, 0.5) is fused
