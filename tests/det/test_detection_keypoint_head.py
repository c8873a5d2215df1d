"""NLKeypointHead: Mask R-CNN's keypoint head with 4 NL blocks (paper Table
6)."""
import pytest
import torch
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmengine.registry import DefaultScope

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import NLKeypointHead


def build(**kwargs):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MODELS.build(dict(type='NLKeypointHead', **kwargs))


def layer_kinds(head):
    return ''.join(
        'C' if isinstance(m, ConvModule
                          ) else 'N' if isinstance(m, NonLocalBlock2d) else '?'
        for m in head.stack)


def test_paper_head_has_an_nl_block_after_every_two_of_eight_convs():
    head = build()
    assert isinstance(head, NLKeypointHead)
    assert layer_kinds(head) == 'CCN' * 4
    convs = [m for m in head.stack if isinstance(m, ConvModule)]
    assert [c.conv.kernel_size for c in convs] == [(3, 3)] * 8
    assert [c.conv.out_channels for c in convs] == [512] * 8
    assert convs[0].conv.in_channels == 256
    assert all(b.in_channels == 512 and b.inter_channels == 256
               for b in head.stack if isinstance(b, NonLocalBlock2d))


@pytest.mark.parametrize('interval, kinds', [(0, 'C' * 8), (4, 'CCCCN' * 2),
                                             (3, 'CCCNCCCNCC')])
def test_interval(interval, kinds):
    assert layer_kinds(
        build(non_local_interval=interval, conv_out_channels=16)) == kinds


def test_output_is_a_56x56_heatmap_per_keypoint():
    head = build(conv_out_channels=32, non_local_cfg=dict(mode='dot_product'))
    head.init_weights()
    out = head(torch.randn(3, 256, 14, 14))
    assert out.shape == (3, 17, 56, 56)
    assert all(b.mode == 'dot_product' for b in head.stack
               if isinstance(b, NonLocalBlock2d))


def test_nl_blocks_are_identity_after_init_so_head_equals_plain_head():
    torch.manual_seed(0)
    with_nl = build(conv_out_channels=32)
    plain = build(conv_out_channels=32, non_local_interval=0)
    with_nl.init_weights()
    plain.init_weights()
    convs = [m for m in with_nl.stack if isinstance(m, ConvModule)]
    for src, dst in zip(convs, plain.stack):
        dst.load_state_dict(src.state_dict())
    plain.deconv.load_state_dict(with_nl.deconv.state_dict())
    with_nl.eval()
    plain.eval()
    x = torch.randn(2, 256, 14, 14)
    with torch.no_grad():
        torch.testing.assert_close(with_nl(x), plain(x), rtol=0, atol=0)
    assert with_nl.deconv.weight.std() < 0.01  # N(0, 0.001), not the conv init


def test_loss_is_softmax_cross_entropy_over_positions_and_trains():
    torch.manual_seed(0)
    head = build(num_keypoints=2, conv_out_channels=16, in_channels=8)
    head.init_weights()
    x = torch.randn(4, 8, 14, 14)
    targets = torch.tensor([[0, 57], [3135, -1], [100, 200], [-1, -1]])
    logits = head(x)
    loss = head.loss(logits, targets)
    # independent reference: -log softmax at the target, over labelled
    # keypoints
    log_p = logits.flatten(2).log_softmax(-1)
    picked = [
        -log_p[r, k, t] for r in range(4) for k in range(2)
        if (t := int(targets[r, k])) >= 0
    ]
    torch.testing.assert_close(loss, torch.stack(picked).mean())
    optimizer = torch.optim.SGD(head.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(8):
        loss = head.loss(head(x), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


@pytest.mark.parametrize('kwargs, match', [
    (dict(non_local_interval=9), 'non_local_interval'),
    (dict(num_convs=0), 'num_convs'),
    (dict(num_keypoints=-1), 'num_keypoints'),
])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NLKeypointHead(**kwargs)


def test_loss_rejects_misshaped_targets():
    head = build(conv_out_channels=8, num_convs=2)
    with pytest.raises(ValueError, match='targets'):
        head.loss(
            torch.zeros(2, 17, 56, 56), torch.zeros(2, 16, dtype=torch.long))


def test_loss_without_labelled_keypoints_is_a_zero_that_backpropagates():
    head = build(
        num_keypoints=2, conv_out_channels=8, in_channels=8, num_convs=2)
    logits = head(torch.randn(3, 8, 14, 14))
    loss = head.loss(logits, torch.full((3, 2), -1))
    assert loss.item(
    ) == 0 and loss.requires_grad  # not the NaN of an empty mean
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in head.parameters())
