"""BN -> ReLU -> conv / max pool keeping only the BN input: the same outputs,
running statistics and gradients as the modules called one by one (float64),
fewer bytes kept for backward; NLResNet3d with and without it."""
import copy

import pytest
import torch
import torch.nn as nn

from nl_plugin.action import NLResNet3d
from nl_plugin.action.backbones.recompute import (bn_relu_conv,
                                                  bn_relu_max_pool,
                                                  max_pool_keeping_input,
                                                  recomputable)


def _saved_bytes(fn, *inputs):
    """``fn(*inputs)`` and the bytes of the distinct storages autograd keeps
    for its backward, parameters left out."""
    storages = {}

    def pack(t):
        if not isinstance(t, nn.Parameter):
            storage = t.untyped_storage()
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn(*inputs)
    return out, sum(storages.values())


def _bn(channels, train, momentum):
    bn = nn.BatchNorm3d(channels, momentum=momentum).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.normal_()
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2)
    return bn.train(train)


def _grads(out, tensors):
    grad = torch.randn_like(out)
    return torch.autograd.grad(out, tensors, grad)


def _compare(fused, reference, x, modules):
    """Outputs, gradients of ``x`` and every parameter, and BN buffers of
    ``fused(x, *modules)`` and ``reference(x, *copies)``."""
    copies = [copy.deepcopy(m) for m in modules]
    x_ref = x.detach().clone().requires_grad_()
    out, out_ref = fused(x, *modules), reference(x_ref, *copies)
    torch.testing.assert_close(out, out_ref, rtol=0, atol=0)
    params = [p for m in modules for p in m.parameters()]
    params_ref = [p for m in copies for p in m.parameters()]
    torch.manual_seed(1)
    grads = _grads(out, [x] + params)
    torch.manual_seed(1)
    grads_ref = _grads(out_ref, [x_ref] + params_ref)
    for g, g_ref in zip(grads, grads_ref):
        torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-10)
    for m, m_ref in zip(modules, copies):
        for b, b_ref in zip(m.buffers(), m_ref.buffers()):
            torch.testing.assert_close(b, b_ref, rtol=0, atol=0)


@pytest.mark.parametrize('train', (True, False))
@pytest.mark.parametrize('momentum', (0.1, None))
@pytest.mark.parametrize('conv_kwargs', [
    dict(kernel_size=1, bias=False),
    dict(kernel_size=(3, 1, 1), padding=(1, 0, 0), bias=True),
    dict(kernel_size=3, stride=(1, 2, 2), padding=1, groups=2, bias=False),
])
def test_bn_relu_conv_equals_the_modules(train, momentum, conv_kwargs):
    torch.manual_seed(0)
    bn = _bn(4, train, momentum)
    conv = nn.Conv3d(4, 6, **conv_kwargs).double()
    x = torch.randn(2, 4, 5, 6, 7, dtype=torch.float64, requires_grad=True)
    _compare(bn_relu_conv, lambda x, bn, conv: conv(torch.relu(bn(x))), x,
             [bn, conv])


@pytest.mark.parametrize('train', (True, False))
@pytest.mark.parametrize('pool', [
    nn.MaxPool3d((1, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1)),
    nn.MaxPool3d((3, 3, 3), stride=(1, 2, 2), padding=(1, 0, 0)),
    nn.MaxPool3d((2, 1, 1), stride=(2, 1, 1), ceil_mode=True),
])
def test_bn_relu_max_pool_and_pool_keeping_input_equal_the_modules(
        train, pool):
    torch.manual_seed(0)
    bn = _bn(3, train, 0.1)
    x = torch.randn(2, 3, 5, 9, 8, dtype=torch.float64, requires_grad=True)
    _compare(lambda x, bn: bn_relu_max_pool(x, bn, pool),
             lambda x, bn: pool(torch.relu(bn(x))), x, [bn])
    _compare(lambda x: max_pool_keeping_input(x, pool), pool, x, [])


def test_only_the_bn_input_is_kept():
    bn, conv = nn.BatchNorm3d(8), nn.Conv3d(8, 8, 1, bias=False)
    pool = nn.MaxPool3d((1, 3, 3), stride=(2, 2, 2), padding=(0, 1, 1))
    x = torch.randn(1, 8, 4, 16, 16, requires_grad=True)
    size = x.nbytes
    _, fused = _saved_bytes(bn_relu_conv, x, bn, conv)
    _, plain = _saved_bytes(lambda x: conv(torch.relu_(bn(x))), x)
    assert fused == size
    assert plain >= 2 * size  # x, ReLU output (and BN statistics)
    _, fused = _saved_bytes(bn_relu_max_pool, x, bn, pool)
    _, plain = _saved_bytes(lambda x: pool(torch.relu_(bn(x))), x)
    assert fused == size
    indices = 8 * size // 4 // 8  # int64, an eighth of the elements
    assert plain >= 2 * size + indices


def test_recomputable_only_for_plain_modules_with_gradients():
    x = torch.randn(1, 2, 2, 4, 4)
    bn, relu, conv = nn.BatchNorm3d(2), nn.ReLU(), nn.Conv3d(2, 2, 1)
    assert recomputable(x, bn, relu, conv, nn.MaxPool3d(2))
    assert not recomputable(x, nn.SyncBatchNorm(2), relu, conv)
    assert not recomputable(x, bn, nn.LeakyReLU(), conv)
    assert not recomputable(x, nn.MaxPool3d(2, return_indices=True))
    assert not recomputable(x, nn.Conv3d(2, 2, 3, padding='same'))
    with torch.no_grad():
        assert not recomputable(x, bn)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert not recomputable(x, bn)


I3D = dict(conv1_kernel=(3, 7, 7), inflate=1)


def _step(model, x):
    """Output, input and parameter gradients and kept bytes of one
    train-mode forward + backward."""
    x = x.clone().requires_grad_()
    out, kept = _saved_bytes(model, x)
    out.square().mean().backward()
    grads = [x.grad] + [p.grad for p in model.parameters()]
    return out, grads, kept


@pytest.mark.parametrize('depth', (18, 50))
def test_backbone_recomputes_with_upstream_results_and_less_memory(depth):
    torch.manual_seed(0)
    kwargs = dict(
        depth=depth,
        pretrained2d=False,
        base_channels=8,
        non_local=((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0),
                   (0, 0, 0)) if depth == 50 else
        ((0, 0), (1, 0), (1, 1), (0, 0)),
        non_local_cfg=dict(sub_sample=True),
        **I3D)
    models = [
        NLResNet3d(recompute_norm_act=flag, **kwargs).train()
        for flag in (True, False)
    ]
    with torch.no_grad():
        for p in models[0].parameters():
            p.normal_(0, 0.3)
    models[1].load_state_dict(models[0].state_dict())
    x = torch.randn(2, 3, 8, 64, 64)
    (out, grads, kept), (out_ref, grads_ref, kept_ref) = (
        _step(m, x) for m in models)
    torch.testing.assert_close(out, out_ref, rtol=0, atol=0)
    for g, g_ref in zip(grads, grads_ref):
        torch.testing.assert_close(g, g_ref, rtol=1e-4, atol=1e-5)
    for b, b_ref in zip(models[0].buffers(), models[1].buffers()):
        torch.testing.assert_close(b, b_ref, rtol=0, atol=0)
    # at least the stem's ReLU output (8 x 4 x 32 x 32 per clip, fp32) and
    # pool1's int64 indices (8 x 2 x 16 x 16) are no longer kept
    stem = 2 * 8 * (4 * 32 * 32 * 4 + 2 * 16 * 16 * 8)
    assert kept <= kept_ref - stem
    with torch.no_grad():
        torch.testing.assert_close(models[0](x), models[1](x), rtol=0, atol=0)


def test_recompute_norm_act_must_be_a_bool():
    with pytest.raises(ValueError, match='recompute_norm_act'):
        NLResNet3d(50, None, recompute_norm_act='yes')
