"""The attention's products on BLAS and on oneDNN's 1x1 convolution against
fp64 einsum, in every operand layout; which kernel runs where."""
import pytest
import torch
from torch.profiler import ProfilerActivity, profile

from nl_plugin.blocks import pairwise, products

# (B, M, K, N) with at least products._MIN_MACS multiply-adds per matrix
LARGE = (2, 256, 128, 256)


@pytest.fixture
def kernel():
    """Sets the CPU kernel for one test and restores the default."""
    yield products.use_cpu_kernel
    products.use_cpu_kernel('auto')


def _operands(batch, rows, inner, cols, a_transposed, b_transposed):
    """fp32 ``a (B, M, K)`` and ``b (B, K, N)``, as transposed views where
    asked."""
    a = torch.randn(batch, inner, rows).transpose(1, 2) if a_transposed \
        else torch.randn(batch, rows, inner)
    b = torch.randn(batch, cols, inner).transpose(1, 2) if b_transposed \
        else torch.randn(batch, inner, cols)
    return a, b


def _ops(fn) -> set:
    """Names of the aten ops ``fn()`` runs."""
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        fn()
    return {event.key for event in prof.key_averages()}


def _einsum(a, b):
    return torch.einsum('bmk,bkn->bmn', a.double(), b.double())


@pytest.mark.parametrize('name', ['blas', 'onednn'])
@pytest.mark.parametrize('a_transposed', [False, True])
@pytest.mark.parametrize('b_transposed', [False, True])
@pytest.mark.parametrize('contiguous', [False, True])
def test_bmm_matches_einsum_in_every_layout(name, a_transposed, b_transposed,
                                            contiguous, kernel):
    kernel(name)
    a, b = _operands(*LARGE, a_transposed, b_transposed)
    got = products.bmm(a, b, contiguous=contiguous)
    torch.testing.assert_close(
        got.double(), _einsum(a, b), rtol=1e-5, atol=1e-4)
    if contiguous:
        assert got.is_contiguous()


@pytest.mark.parametrize('name', ['blas', 'onednn'])
def test_baddbmm_broadcasts_its_bias(name, kernel):
    kernel(name)
    a, b = _operands(*LARGE, False, True)
    bias = torch.randn(LARGE[0], 1, LARGE[3])
    got = products.baddbmm(bias, a, b)
    assert got.is_contiguous()
    torch.testing.assert_close(
        got.double(), bias.double() + _einsum(a, b), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize('name', ['blas', 'onednn'])
def test_add_bmm_accumulates_in_place(name, kernel):
    kernel(name)
    a, b = _operands(*LARGE, True, False)
    out = torch.randn(LARGE[0], LARGE[1], LARGE[3])
    want = out.double() + _einsum(a, b)
    assert products.add_bmm_(out, a, b) is out
    torch.testing.assert_close(out.double(), want, rtol=1e-5, atol=1e-4)


def test_onednn_products_backpropagate(kernel):
    kernel('onednn')
    a, b = (t.requires_grad_() for t in _operands(*LARGE, False, True))
    grad = torch.randn(LARGE[0], LARGE[1], LARGE[3])
    got = torch.autograd.grad(products.bmm(a, b), (a, b), grad)
    want = torch.autograd.grad(torch.bmm(a, b), (a, b), grad)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w, rtol=1e-5, atol=1e-3)


def test_each_kernel_runs_where_chosen(kernel):
    a, b = _operands(*LARGE, False, False)
    kernel('onednn')
    assert 'aten::mkldnn_convolution' in _ops(lambda: products.bmm(a, b))
    assert 'aten::bmm' not in _ops(lambda: products.bmm(a, b))
    kernel('blas')
    assert 'aten::mkldnn_convolution' not in _ops(lambda: products.bmm(a, b))


def test_small_and_double_products_stay_on_blas(kernel):
    kernel('onednn')
    small = _operands(2, 64, 64, 64, False, False)
    narrow = _operands(2, 196, 512, 196, False, False)  # 20M, 196 x 196
    double = [t.double() for t in _operands(*LARGE, False, False)]
    for a, b in (small, narrow, double):
        assert 'aten::bmm' in _ops(lambda: products.bmm(a, b))


@pytest.mark.parametrize('vendor,capability,faster', [
    ('AuthenticAMD', 'AVX512', True),
    ('AuthenticAMD', 'AVX2', False),
    ('GenuineIntel', 'AVX512', False),
    ('', 'AVX512', False),
])
def test_onednn_where_mkl_runs_avx2_code_on_avx512(vendor, capability, faster,
                                                   monkeypatch):
    monkeypatch.setattr(products, 'cpuinfo', lambda field: vendor)
    monkeypatch.setattr(torch.backends.cpu, 'get_cpu_capability',
                        lambda: capability)
    products.onednn_is_faster.cache_clear()
    try:
        assert products.onednn_is_faster() is faster
    finally:
        products.onednn_is_faster.cache_clear()


def test_auto_follows_the_rule(kernel, monkeypatch):
    kernel('auto')
    a, b = _operands(*LARGE, False, False)
    for faster in (True, False):
        monkeypatch.setattr(products, 'onednn_is_faster', lambda: faster)
        ran_onednn = 'aten::mkldnn_convolution' in _ops(
            lambda: products.bmm(a, b))
        assert ran_onednn is faster


def test_unknown_kernel_is_refused():
    with pytest.raises(ValueError, match="kernel must be one of .*'gpu'"):
        products.use_cpu_kernel('gpu')


@pytest.mark.parametrize('name', ['blas', 'onednn'])
@pytest.mark.parametrize('keep_bytes', [2**30, 0])  # dense kept, recomputed
def test_fp32_attention_matches_einsum_on_either_kernel(
        name, keep_bytes, kernel):
    """The chunked softmax's six products at sizes that reach oneDNN."""
    kernel(name)
    gen = torch.Generator().manual_seed(0)
    q, k, v = (
        torch.randn(2, 256, 128, generator=gen).requires_grad_()
        for _ in range(3))
    key_bias = torch.randn(2, 256, generator=gen).requires_grad_()
    grad = torch.randn(2, 256, 128, generator=gen)
    out = {}

    def forward_backward():
        out['y'] = pairwise.chunked_softmax_aggregate(
            q, k, v, 0.1, keep_bytes=keep_bytes, key_bias=key_bias)
        out['grads'] = torch.autograd.grad(out['y'], (q, k, v, key_bias), grad)

    ran_onednn = 'aten::mkldnn_convolution' in _ops(forward_backward)
    assert ran_onednn == (name == 'onednn')
    inputs = [t.detach().double().requires_grad_() for t in (q, k, v)]
    bias = key_bias.detach().double().requires_grad_()
    logits = torch.einsum('blc,bsc->bls', *inputs[:2]) + bias[:, None]
    want = torch.einsum('bls,bsc->blc', (logits * 0.1).softmax(-1), inputs[2])
    torch.testing.assert_close(out['y'].double(), want, rtol=1e-5, atol=1e-5)
    for g, w in zip(out['grads'],
                    torch.autograd.grad(want, inputs + [bias], grad.double())):
        torch.testing.assert_close(g.double(), w, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('name', ['blas', 'onednn'])
@pytest.mark.parametrize('weight_transposed', [False, True])
@pytest.mark.parametrize('with_bias', [False, True])
def test_linear_matches_einsum(name, weight_transposed, with_bias, kernel):
    """The moved projections: ``x (B, S, C_in)`` by a ``(C_out, C_in)``
    weight, stored as such or as the transpose of a ``(C_in, C_out)`` one
    (``theta``'s weight on the keys)."""
    kernel(name)
    x = torch.randn(2, 128, 512).transpose(1, 2).requires_grad_()
    weight = torch.randn(128, 256).t() if weight_transposed \
        else torch.randn(256, 128)  # (C_out, C_in) = (256, 128)
    weight.requires_grad_()
    bias = torch.randn(256).requires_grad_() if with_bias else None
    out = {}
    ops = _ops(lambda: out.update(y=products.linear(x, weight, bias)))
    assert ('aten::convolution' in ops) == (name == 'onednn')
    got = out['y']
    inputs = [t.detach().double().requires_grad_() for t in (x, weight)]
    want = torch.einsum('bsc,oc->bso', *inputs)
    leaves = [x, weight]
    if with_bias:
        inputs.append(bias.detach().double().requires_grad_())
        want = want + inputs[-1]
        leaves.append(bias)
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-4)
    grad = torch.randn(want.shape)
    for g, w in zip(
            torch.autograd.grad(got, leaves, grad),
            torch.autograd.grad(want, inputs, grad.double())):
        torch.testing.assert_close(g.double(), w, rtol=1e-5, atol=1e-3)
