"""Non-local blocks against the naive einsum reference, over the option
grid."""
import itertools

import pytest
import torch
from mmengine.registry import MODELS

from nl_plugin.blocks import (NonLocalBlock1d, NonLocalBlock2d,
                              NonLocalBlock3d, NonLocalBlockNd, non_local)
from finite_checks import assert_finite_backward
from reference_non_local import pairwise_weights, reference_forward

BLOCKS = {1: NonLocalBlock1d, 2: NonLocalBlock2d, 3: NonLocalBlock3d}
SHAPES = {1: (2, 8, 10), 2: (2, 8, 6, 8), 3: (2, 8, 4, 6, 6)}
MODES = ('gaussian', 'embedded_gaussian', 'dot_product', 'concatenation')
NEIGHBOURHOODS_3D = ('spacetime', 'space', 'time', 'grouped_time')


def _group_size(nbhd):
    """Runs of 2 of the 4 frames of SHAPES[3] for ``grouped_time``."""
    return 2 if nbhd == 'grouped_time' else None


def _grid():
    options = ((1, 2, 3), MODES, (False, True), (False, True))
    for dims, mode, sub_sample, use_scale in itertools.product(*options):
        nbhds = NEIGHBOURHOODS_3D if dims == 3 else ('spacetime', )
        for nbhd in nbhds:
            if nbhd == 'time' and sub_sample:
                continue
            yield dims, mode, nbhd, sub_sample, use_scale


def _randomised(block):
    """Non-trivial W_z/BN so that the output depends on every part of the
    block."""
    with torch.no_grad():
        for p in block.parameters():
            p.normal_(0, 0.5)
        bn = block.conv_out.norm
        bn.running_mean.normal_(0, 0.1)
        bn.running_var.uniform_(0.5, 2.0)
    return block.eval()


@pytest.mark.parametrize('reassociated', (True, False))
@pytest.mark.parametrize('stacked', (True, False))
@pytest.mark.parametrize('dims,mode,nbhd,sub_sample,use_scale', list(_grid()))
def test_matches_naive_reference(dims, mode, nbhd, sub_sample, use_scale,
                                 stacked, reassociated, monkeypatch):
    """Also with the embeddings' convs run one by one (as where the
    positions are fewer than the channels) instead of stacked, and with theta
    and W_z moved onto the keys and values (as where keys are few; all but
    concatenation) or not."""
    monkeypatch.setattr(non_local, 'stacking_pays',
                        lambda x, convs: stacked and len(convs) > 1)
    monkeypatch.setattr(non_local, 'reassociation_pays',
                        lambda *args: reassociated)
    taken, reassociate = [], NonLocalBlockNd._reassociated

    def spy(block, x):
        taken.append(True)
        return reassociate(block, x)

    monkeypatch.setattr(NonLocalBlockNd, '_reassociated', spy)
    pool_position = 'before_embedding' if (
        dims + len(mode)) % 2 else 'after_embedding'
    block = _randomised(BLOCKS[dims](
        8,
        mode=mode,
        neighbourhood=nbhd,
        group_size=_group_size(nbhd),
        sub_sample=sub_sample,
        use_scale=use_scale,
        pool_position=pool_position)).double()
    x = torch.randn(SHAPES[dims], dtype=torch.float64, requires_grad=True)
    out = block(x)
    assert bool(taken) == (reassociated and mode != 'concatenation')
    ref = reference_forward(block, x)
    torch.testing.assert_close(out, ref, rtol=1e-9, atol=1e-9)

    grad_out = torch.randn_like(out)
    params = [p for p in block.parameters() if p.requires_grad]
    grads = torch.autograd.grad(out, [x] + params, grad_out, allow_unused=True)
    ref_grads = torch.autograd.grad(
        ref, [x] + params, grad_out, allow_unused=True)
    for got, want in zip(grads, ref_grads):
        if want is None:
            continue
        torch.testing.assert_close(got, want, rtol=1e-7, atol=1e-8)


@pytest.mark.parametrize('mode', MODES)
def test_fp32_matches_reference_on_larger_maps(mode):
    block = _randomised(NonLocalBlock3d(16, mode=mode, sub_sample=True))
    x = torch.randn(2, 16, 4, 14, 14)
    torch.testing.assert_close(
        block(x), reference_forward(block, x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('mode', ('gaussian', 'embedded_gaussian'))
def test_block_with_chunked_softmax_matches_reference(mode, monkeypatch):
    """A budget of 4 KB forces query chunks recomputed in backward."""
    from nl_plugin.blocks import pairwise
    monkeypatch.setattr(pairwise, '_WHOLE_BYTES', 0)
    monkeypatch.setattr(pairwise, '_CHUNK_BYTES', 4096)
    monkeypatch.setattr(pairwise, '_KEEP_BYTES', 4096)
    chunked, attend = [], pairwise._attend

    def spy(q, *args):  # records the queries per chunk
        chunked.append(q.shape[1])
        return attend(q, *args)

    monkeypatch.setattr(pairwise, '_attend', spy)
    monkeypatch.setattr(pairwise, '_fused_is_faster', lambda *args: False)
    block = _randomised(NonLocalBlock3d(8, mode=mode, use_scale=True)).double()
    x = torch.randn(2, 8, 4, 6, 6, dtype=torch.float64, requires_grad=True)
    out, ref = block(x), reference_forward(block, x)
    torch.testing.assert_close(out, ref, rtol=1e-9, atol=1e-9)
    params = [x] + list(block.parameters())
    grad = torch.randn_like(out)
    for a, b in zip(
            torch.autograd.grad(out, params, grad, allow_unused=True),
            torch.autograd.grad(ref, params, grad, allow_unused=True)):
        if b is not None:
            torch.testing.assert_close(a, b, rtol=1e-7, atol=1e-8)
    assert chunked and all(rows < 4 * 36 for rows in chunked)


@pytest.mark.parametrize('dims', (1, 2, 3))
@pytest.mark.parametrize('mode', MODES)
def test_identity_at_init(dims, mode):
    block = BLOCKS[dims](8, mode=mode, sub_sample=True)
    x = torch.randn(SHAPES[dims])
    assert torch.equal(block(x), x)
    block.init_weights()
    assert torch.equal(block(x), x)
    assert block.conv_out.norm.weight.abs().sum() == 0


def test_identity_without_norm_zeroes_w_z():
    block = NonLocalBlock2d(8, norm_cfg=None)
    x = torch.randn(SHAPES[2])
    assert torch.equal(block(x), x)
    assert block.conv_out.conv.weight.abs().sum() == 0


@pytest.mark.parametrize('dtype', (torch.bfloat16, torch.float16))
@pytest.mark.parametrize('mode', MODES)
def test_large_inputs_stay_finite_under_autocast(mode, dtype):
    block = _randomised(NonLocalBlock3d(16, mode=mode,
                                        sub_sample=True)).train()
    x = (torch.randn(1, 16, 4, 8, 8) *
         1e4).requires_grad_()  # affinities >> 65504
    with torch.autocast('cpu', dtype=dtype):
        out = block(x)
    assert torch.isfinite(out).all()
    assert_finite_backward(out, x, block)


@pytest.mark.parametrize('mode', MODES)
def test_bf16_autocast_is_close_to_fp64(mode):
    block = _randomised(NonLocalBlock3d(16, mode=mode, sub_sample=True))
    x = torch.randn(1, 16, 4, 8, 8)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = block(x)
    ref = reference_forward(block.double(), x.double())
    # bf16 keeps 8 bits of mantissa: compare relative to the output scale
    err = (out.double() - ref).abs().max() / ref.abs().max()
    assert err < 0.05


def test_fp16_inputs_do_not_overflow():
    from nl_plugin.blocks.pairwise import (dot_product_aggregate,
                                           softmax_aggregate)

    # softmax: q.k ~ 1e5, beyond fp16's max (65504); the output is a mean of
    # v. The fused kernel forms the logits in fp32 and returns fp16.
    q = (torch.randn(1, 20, 8) * 300).half()
    k = (torch.randn(1, 10, 8) * 300).half()
    v = torch.randn(1, 10, 8).half()
    y = softmax_aggregate(q, k, v)
    assert y.dtype == torch.float16 and torch.isfinite(y).all()
    want = torch.einsum(
        'bls,bsc->blc',
        torch.einsum('blc,bsc->bls', q.double(), k.double()).softmax(-1),
        v.double())
    # a few logits differ by fp16 rounding of q and k (|q.k| ~ 1e5)
    assert (y.double() - want).abs().mean() < 0.05
    # dot product: sum_j k_j v_j = 2000 * 50 overflows, its mean (50) does not.
    k_dot = torch.full((1, 2000, 8), 50.0).half()
    v_dot = torch.ones(1, 2000, 8).half()
    q_dot = torch.rand(1, 20, 8).half()
    y = dot_product_aggregate(q_dot, k_dot, v_dot)
    assert y.dtype == torch.float32 and torch.isfinite(y).all()


def _aggregate_dtypes(block, x, dtype, monkeypatch):
    """The dtypes of q and of y of every softmax_aggregate call of
    ``block(x)`` under CPU autocast with ``dtype``."""
    from nl_plugin.blocks import non_local, pairwise
    seen = []

    def spy(q, k, v, scale=1.0):
        y = pairwise.softmax_aggregate(q, k, v, scale)
        seen.append((q.dtype, y.dtype))
        return y

    monkeypatch.setattr(non_local, 'softmax_aggregate', spy)
    with torch.autocast('cpu', dtype=dtype):
        out = block(x)
    return out, seen


@pytest.mark.parametrize('dtype', (torch.float16, torch.bfloat16))
def test_embedded_gaussian_attends_in_half_precision(dtype, monkeypatch):
    block = _randomised(NonLocalBlock3d(16, sub_sample=True, use_scale=True))
    x = torch.randn(2, 16, 4, 8, 8)
    out, seen = _aggregate_dtypes(block, x, dtype, monkeypatch)
    assert seen == [(dtype, dtype)]  # fused kernel on half embeddings
    ref = reference_forward(block.double(), x.double())
    err = (out.double() - ref).abs().max() / ref.abs().max()
    assert err < (0.01 if dtype == torch.float16 else 0.05)


def test_fp16_falls_back_to_fp32_beyond_the_safe_range(monkeypatch):
    from nl_plugin.blocks.pairwise import FP16_SAFE_MAX
    block = _randomised(NonLocalBlock3d(16, sub_sample=True))
    x = torch.randn(1, 16, 4, 8, 8)
    x[0, 0, 0, 0, 0] = 4 * FP16_SAFE_MAX  # fits fp16, its embeddings do not
    out, seen = _aggregate_dtypes(block, x, torch.float16, monkeypatch)
    assert seen == [(torch.float32, torch.float32)]
    ref = reference_forward(block.double(), x.double())
    torch.testing.assert_close(out.double(), ref, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize('dtype', (torch.float16, torch.bfloat16))
def test_gaussian_aggregates_in_fp32_under_autocast(dtype, monkeypatch):
    """Its queries are x itself, wider than g: no fused kernel, fp32."""
    block = _randomised(NonLocalBlock3d(16, mode='gaussian', sub_sample=True))
    x = torch.randn(1, 16, 4, 8, 8)
    out, seen = _aggregate_dtypes(block, x, dtype, monkeypatch)
    (q_dtype, y_dtype), = seen
    assert q_dtype == torch.float32  # the fp16 block runs in fp32
    assert y_dtype == (torch.float32 if dtype == torch.float16 else dtype)
    ref = reference_forward(block.double(), x.double())
    err = (out.double() - ref).abs().max() / ref.abs().max()
    assert err < 0.05


@pytest.mark.parametrize('mode', MODES)
def test_with_cp_gives_the_same_outputs_and_gradients(mode):
    blocks = [
        NonLocalBlock3d(8, mode=mode, sub_sample=True, with_cp=cp)
        for cp in (False, True)
    ]
    _randomised(blocks[0]).train(), blocks[1].train()
    blocks[1].load_state_dict(blocks[0].state_dict())
    x = torch.randn(2, 8, 4, 6, 6, requires_grad=True)
    grad = torch.randn(x.shape)
    results = []
    for block in blocks:
        out = block(x)
        results.append([out] + list(
            torch.autograd.grad(out, [x] + list(block.parameters()), grad)))
    for a, b in zip(*results):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize('mode', MODES)
@pytest.mark.parametrize('nbhd', NEIGHBOURHOODS_3D)
def test_attention_weights_match_reference_rows(mode, nbhd):
    block = _randomised(
        NonLocalBlock3d(
            8,
            mode=mode,
            neighbourhood=nbhd,
            group_size=_group_size(nbhd),
            sub_sample=nbhd != 'time')).double()
    x = torch.randn(SHAPES[3], dtype=torch.float64)
    queries = [(0, 0, 0), (3, 5, 2), (1, 2, 4)]
    got = block.attention_weights(x, queries)
    weights, _, grid = pairwise_weights(block, x)
    rows = [t * grid[1] * grid[2] + h * grid[2] + w for t, h, w in queries]
    want = weights[:, rows].reshape(got.shape)
    torch.testing.assert_close(got, want)


def test_registered_in_root_registry():
    for name in ('NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d'):
        block = MODELS.build(dict(type=name, in_channels=4))
        assert type(block).__name__ == name


@pytest.mark.parametrize('kwargs,culprit', [
    (dict(mode='softmax'), 'mode'),
    (dict(neighbourhood='spatial'), 'neighbourhood'),
    (dict(reduction=0), 'reduction'),
    (dict(inner_channels=0), 'inner_channels'),
    (dict(pool_position='middle'), 'pool_position'),
    (dict(pool_kernel=(2, 2)), 'pool_kernel'),
    (dict(pool_kernel=0), 'pool_kernel'),
    (dict(neighbourhood='time', sub_sample=True), 'sub_sample'),
    (dict(neighbourhood='space', sub_sample=True,
          pool_kernel=(2, 2, 2)), 'pool_kernel'),
    (dict(init_std=-1.0), 'init_std'),
    (dict(std=0.0), 'init_std'),
    (dict(init_std=0.01, std=0.02), 'std'),
    (dict(in_channels=0), 'in_channels'),
    (dict(with_cp=1), 'with_cp'),
    (dict(neighbourhood='grouped_time'), 'group_size'),
    (dict(neighbourhood='grouped_time', group_size=0), 'group_size'),
    (dict(neighbourhood='spacetime', group_size=4), 'group_size'),
    (dict(
        neighbourhood='grouped_time',
        group_size=2,
        sub_sample=True,
        pool_kernel=(2, 2, 2)), 'pool_kernel'),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, culprit):
    kwargs = dict(dict(in_channels=8), **kwargs)
    with pytest.raises(ValueError, match=culprit):
        NonLocalBlock3d(**kwargs)


def test_space_and_time_are_3d_only():
    with pytest.raises(ValueError, match='neighbourhood'):
        NonLocalBlock2d(8, neighbourhood='space')


def test_pool_larger_than_map_is_reported():
    block = NonLocalBlock3d(8, sub_sample=True, pool_kernel=(1, 4, 4))
    with pytest.raises(ValueError, match='pool_kernel'):
        block(torch.randn(1, 8, 2, 3, 3))


def test_wrong_input_rank_is_reported():
    with pytest.raises(ValueError, match='5D input'):
        NonLocalBlock3d(8)(torch.randn(1, 8, 4, 4))


@pytest.mark.parametrize('with_key_bias', (False, True))
@pytest.mark.parametrize('num_queries,num_keys', [(6, 4), (400, 300)])
def test_dot_product_both_matmul_orders_match_naive(num_queries, num_keys,
                                                    with_key_bias):
    """Also with a per-key term (the reassociated block's ``b_theta .
    phi_j``)."""
    from nl_plugin.blocks.pairwise import dot_product_aggregate
    q = torch.randn(2, num_queries, 16, dtype=torch.float64)
    k = torch.randn(2, num_keys, 16, dtype=torch.float64)
    v = torch.randn(2, num_keys, 8, dtype=torch.float64)
    key_bias = torch.randn(2, num_keys, dtype=torch.float64)
    logits = torch.einsum('blc,bsc->bls', q, k)
    if with_key_bias:
        logits = logits + key_bias[:, None]
    want = torch.einsum('bls,bsc->blc', logits / num_keys, v)
    got = dot_product_aggregate(q, k, v, key_bias if with_key_bias else None)
    torch.testing.assert_close(got, want)


@pytest.mark.parametrize('cls,shape,expected', [
    (NonLocalBlock3d, (1, 8, 4, 4), r'NonLocalBlock3d\(in_channels=8\) '
     r'expects a 5D input \(N, C, T, H, W\), got shape \(1, 8, 4, 4\)'),
    (NonLocalBlock3d, (1, 6, 2, 4, 4), r'NonLocalBlock3d\(in_channels=8\) '
     r'expects 8 channels \(axis 1 of \(N, C, T, H, W\)\), got shape '
     r'\(1, 6, 2, 4, 4\)'),
    (NonLocalBlock3d, (0, 8, 2, 4, 4), 'needs a non-empty input'),
    (NonLocalBlock3d, (1, 8, 0, 4, 4), r'every axis of \(N, C, T, H, W\) '
     'must have size >= 1'),
    (NonLocalBlock2d, (1, 8, 4), r'NonLocalBlock2d\(in_channels=8\) expects '
     r'a 4D input \(N, C, H, W\)'),
    (NonLocalBlock1d, (2, 8, 0), r'\(N, C, L\) must have size >= 1'),
])
def test_bad_inputs_name_the_block_and_what_it_expects(cls, shape, expected):
    block = cls(8)
    with pytest.raises(ValueError, match=expected):
        block(torch.randn(shape))
    if cls is NonLocalBlock3d:
        with pytest.raises(ValueError, match=expected):
            block.attention_weights(torch.randn(shape), [(0, 0, 0)])


def test_grouped_time_needs_whole_runs_of_frames():
    block = NonLocalBlock3d(8, neighbourhood='grouped_time', group_size=4)
    x = torch.randn(1, 8, 6, 4, 4)  # 6 frames: not runs of 4
    with pytest.raises(ValueError, match='multiple of group_size'):
        block(x)
    with pytest.raises(ValueError, match='multiple of group_size'):
        block.attention_weights(x, [(0, 0, 0)])


def test_grouped_time_is_spacetime_within_each_run():
    """Independent of the mask reference: each run of frames through a
    spacetime block with the same weights."""
    grouped = _randomised(
        NonLocalBlock3d(
            8, neighbourhood='grouped_time', group_size=2,
            sub_sample=True)).double()
    spacetime = NonLocalBlock3d(8, sub_sample=True).double().eval()
    spacetime.load_state_dict(grouped.state_dict())
    x = torch.randn(2, 8, 6, 4, 4, dtype=torch.float64)
    runs = [spacetime(x[:, :, t:t + 2]) for t in range(0, 6, 2)]
    torch.testing.assert_close(grouped(x), torch.cat(runs, dim=2))
