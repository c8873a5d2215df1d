"""theta and W_z moved onto the keys and values: where it pays, and the same
block as mmcv's where it is taken."""
import pytest
import torch
from mmcv.cnn import NonLocal3d

from nl_plugin.blocks import NonLocalBlock3d, NonLocalBlockNd
from nl_plugin.blocks.neighbourhood import key_mask, pairs_per_sample
from nl_plugin.blocks.reassociation import reassociation_pays


@pytest.mark.parametrize('mode',
                         ('embedded_gaussian', 'gaussian', 'dot_product'))
@pytest.mark.parametrize(
    'channels,grid,pays',
    [
        # NL-I3D R50: res4 of a 32-frame clip pays (embedded Gaussian: 521M
        # against 979M multiply-adds), res3 and 128-frame clips do not
        (1024, (4, 14, 14), True),
        (512, (4, 28, 28), False),
        (1024, (16, 14, 14), False),
        (512, (16, 28, 28), False),
    ])
def test_pays_where_keys_are_few_and_channels_many(mode, channels, grid, pays):
    block = NonLocalBlock3d(channels, mode=mode, sub_sample=True)
    assert block._reassociates(torch.empty(1, channels, *grid)) is pays


def test_costs_add_the_projections_and_the_attention():
    """res4 of a 32-frame clip (784 queries, 196 keys, 512 <-> 1024
    channels), embedded Gaussian: theta and W_z on the queries 2 x 411.0M,
    attention 157.4M; on the keys 2 x 102.8M and 314.7M. The dot product
    takes the cheaper order (q k^T) v either way; with as many keys as
    queries neither pays."""
    pairs = 784 * 196
    for mode in ('embedded_gaussian', 'gaussian', 'dot_product'):
        assert reassociation_pays(mode, 784, 196, pairs, 512, 1024)
        assert not reassociation_pays(mode, 784, 784, 784 * 784, 512, 1024)
    # a tie is no gain: 2 * 4 * 1 * 2 + 4 * (1 + 1) == 2 * 2 * 1 * 2 + 4 * 4
    assert not reassociation_pays('embedded_gaussian', 4, 2, 4, 1, 2)
    assert reassociation_pays('embedded_gaussian', 4, 2, 3, 1, 2)


@pytest.mark.parametrize('nbhd,size', [('spacetime', None), ('space', None),
                                       ('time', None), ('grouped_time', 2)])
def test_pairs_per_sample_count_the_key_masks(nbhd, size):
    grid = (4, 3, 5)
    want = sum(
        int(key_mask((t, h, w), grid, nbhd, group_size=size).sum())
        for t in range(4) for h in range(3) for w in range(5))
    assert pairs_per_sample(grid, grid, nbhd, size) == want


def test_concatenation_keeps_the_plain_order():
    block = NonLocalBlock3d(1024, mode='concatenation', sub_sample=True)
    assert not block._reassociates(torch.empty(1, 1024, 4, 14, 14))


@pytest.mark.parametrize('dtype', (torch.float16, torch.bfloat16))
def test_half_precision_keeps_the_plain_order(dtype):
    """Under autocast the fused kernels attend (no key term, equal
    widths)."""
    block = NonLocalBlock3d(1024, sub_sample=True)
    x = torch.empty(1, 1024, 4, 14, 14)
    assert block._reassociates(x)
    with torch.autocast('cpu', dtype=dtype):
        assert not block._reassociates(x)


def test_traced_graphs_keep_the_plain_order(monkeypatch):
    """ONNX export and FLOP counts trace the paper's order; the traced
    block equals the eager, reassociated one."""
    taken, reassociate = [], NonLocalBlockNd._reassociated

    def spy(block, x):
        taken.append(torch.jit.is_tracing())
        return reassociate(block, x)

    monkeypatch.setattr(NonLocalBlockNd, '_reassociated', spy)
    block = NonLocalBlock3d(64, sub_sample=True).eval()
    with torch.no_grad():
        for p in block.parameters():
            p.normal_(0, 0.2)
    x = torch.randn(2, 64, 2, 6, 6)
    with torch.no_grad():
        traced = torch.jit.trace(block, x, check_trace=False)
        torch.testing.assert_close(traced(x), block(x))
    assert taken == [False]  # the eager call only


@pytest.mark.parametrize('mode',
                         ('gaussian', 'embedded_gaussian', 'dot_product'))
@pytest.mark.parametrize('use_scale', (False, True))
def test_train_step_matches_mmcv(mode, use_scale, monkeypatch):
    """64 channels, 72 queries, 18 keys: the rule reassociates; outputs,
    input and weight gradients and BN statistics equal those of mmcv's
    block with the same weights (train mode, non-zero biases)."""
    taken, reassociate = [], NonLocalBlockNd._reassociated

    def spy(block, x):
        taken.append(True)
        return reassociate(block, x)

    monkeypatch.setattr(NonLocalBlockNd, '_reassociated', spy)
    kwargs = dict(
        in_channels=64,
        mode=mode,
        sub_sample=True,
        use_scale=use_scale,
        norm_cfg=dict(type='BN3d'))
    theirs = NonLocal3d(**kwargs).double().train()
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(0, 0.2)
    ours = NonLocalBlock3d(**kwargs).double().train()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 64, 2, 6, 6, dtype=torch.float64, generator=gen)
    grad = torch.randn(x.shape, dtype=torch.float64, generator=gen)
    results = []
    for block in (ours, theirs):
        xx = x.clone().requires_grad_(True)
        out = block(xx)
        out.backward(grad)
        # mmcv's g.0.conv.weight is our g.conv.weight
        grads = {
            name.replace('.0.', '.', 1): p.grad
            for name, p in block.named_parameters()
        }
        results.append(
            dict(
                grads,
                out=out,
                dx=xx.grad,
                mean=block.conv_out.norm.running_mean))
    assert taken == [True]
    assert results[0].keys() == results[1].keys()
    for name, got in results[0].items():
        torch.testing.assert_close(
            got, results[1][name], rtol=1e-9, atol=1e-10, msg=name)
