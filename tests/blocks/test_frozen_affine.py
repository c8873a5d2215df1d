"""FrozenAffine: the official AffineNd (folded BN), never trained."""
import pytest
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule

from nl_plugin.blocks import FrozenAffine, fold_batch_norm


def _random(layer):
    with torch.no_grad():
        layer.weight.uniform_(0.5, 1.5)
        layer.bias.normal_()
    return layer


@pytest.mark.parametrize('shape', [(2, 3), (2, 3, 5), (2, 3, 4, 5, 6)])
def test_scales_and_shifts_each_channel(shape):
    layer = _random(FrozenAffine(3))
    x = torch.randn(shape)
    want = torch.stack(
        [x[:, c] * layer.weight[c] + layer.bias[c] for c in range(3)], 1)
    torch.testing.assert_close(layer(x), want)
    torch.testing.assert_close(layer.train()(x), layer.eval()(x))


def test_is_never_trained():
    conv = ConvModule(
        3,
        4,
        1,
        conv_cfg=dict(type='Conv3d'),
        norm_cfg=dict(type='FrozenAffine', requires_grad=True))
    assert conv.conv.bias is None  # the affine shift replaces it
    assert isinstance(conv.bn, FrozenAffine)  # stored as .bn, as a BN
    assert [n for n, _ in conv.named_parameters()] == ['conv.weight']
    assert set(conv.state_dict()) == {'conv.weight', 'bn.weight', 'bn.bias'}
    _random(conv.bn)
    before = [t.clone() for t in (conv.bn.weight, conv.bn.bias)]
    optimizer = torch.optim.SGD(conv.parameters(), lr=1.0, weight_decay=1.0)
    conv.train()(torch.randn(2, 3, 2, 4, 4)).square().sum().backward()
    optimizer.step()
    assert all(
        torch.equal(a, b)
        for a, b in zip(before, (conv.bn.weight, conv.bn.bias)))


def test_folding_a_bn_gives_its_eval_output():
    bn = nn.BatchNorm3d(5, eps=1e-5)
    with torch.no_grad():
        for t in (bn.weight, bn.bias, bn.running_mean):
            t.normal_()
        bn.running_var.uniform_(0.2, 3.0)
    layer = FrozenAffine(5)
    layer.fold(bn.weight, bn.bias, bn.running_mean, bn.running_var)
    x = torch.randn(2, 5, 3, 4, 4)
    torch.testing.assert_close(layer(x), bn.eval()(x))
    scale, shift = fold_batch_norm(bn.weight, bn.bias, bn.running_mean,
                                   bn.running_var, 1e-5)
    torch.testing.assert_close(scale, layer.weight)
    torch.testing.assert_close(shift, layer.bias)


@pytest.mark.parametrize('kwargs,culprit', [
    (dict(num_features=0), 'num_features'),
    (dict(num_features=2.0), 'num_features'),
    (dict(num_features=2, eps=0), 'eps'),
])
def test_bad_arguments_name_themselves(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        FrozenAffine(**kwargs)


def test_wrong_channels_are_reported():
    with pytest.raises(ValueError, match=r'FrozenAffine\(3\)'):
        FrozenAffine(3)(torch.randn(1, 4, 2))
