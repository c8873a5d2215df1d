"""Drop-in for mmcv's NonLocal1d/2d/3d: same arguments, state dicts,
outputs."""
import pytest
import torch
from mmcv.cnn import NonLocal1d, NonLocal2d, NonLocal3d

from nl_plugin.blocks import NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d

PAIRS = {
    1: (NonLocal1d, NonLocalBlock1d),
    2: (NonLocal2d, NonLocalBlock2d),
    3: (NonLocal3d, NonLocalBlock3d)
}
SHAPES = {1: (2, 8, 12), 2: (2, 8, 6, 8), 3: (2, 8, 4, 6, 6)}
NORMS = {1: 'BN1d', 2: 'BN', 3: 'BN3d'}


def _perturb(module):
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0, 0.3)
        for name, b in module.named_buffers():
            if name.endswith('running_var'):
                b.uniform_(0.5, 2)
            elif name.endswith('running_mean'):
                b.normal_(0, 0.1)
    return module.eval()


@pytest.mark.parametrize('dims', (1, 2, 3))
@pytest.mark.parametrize(
    'mode', ('gaussian', 'embedded_gaussian', 'dot_product', 'concatenation'))
@pytest.mark.parametrize('sub_sample', (False, True))
@pytest.mark.parametrize('use_scale', (False, True))
@pytest.mark.parametrize('with_norm', (False, True))
def test_mmcv_state_dict_loads_and_outputs_match(dims, mode, sub_sample,
                                                 use_scale, with_norm):
    mmcv_cls, our_cls = PAIRS[dims]
    kwargs = dict(
        in_channels=8,
        mode=mode,
        sub_sample=sub_sample,
        use_scale=use_scale,
        norm_cfg=dict(type=NORMS[dims]) if with_norm else None)
    theirs = _perturb(mmcv_cls(**kwargs))
    ours = our_cls(**kwargs).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(SHAPES[dims])
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-5, atol=1e-5)


def test_our_state_dict_loads_into_mmcv_without_subsampling():
    ours = _perturb(NonLocalBlock3d(8, norm_cfg=dict(type='BN3d')))
    theirs = NonLocal3d(8, norm_cfg=dict(type='BN3d'), use_scale=False).eval()
    theirs.load_state_dict(ours.state_dict(), strict=True)
    x = torch.randn(SHAPES[3])
    with torch.no_grad():
        torch.testing.assert_close(theirs(x), ours(x), rtol=1e-5, atol=1e-5)


def test_mmdet_resnet_plugin_use():
    """``plugins=[dict(cfg=dict(type='NonLocalBlock2d', ...))]`` in mmdet's
    ResNet."""
    import mmdet.models  # noqa: F401
    from mmdet.registry import MODELS
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        resnet = MODELS.build(
            dict(
                type='ResNet',
                depth=50,
                num_stages=4,
                out_indices=(2, ),
                plugins=[
                    dict(
                        cfg=dict(
                            type='NonLocalBlock2d',
                            reduction=4,
                            sub_sample=True),
                        stages=(False, False, True, False),
                        position='after_conv3')
                ]))
    resnet.init_weights()  # mmdet's init sets every BN gamma to 1 first
    blocks = [m for m in resnet.modules() if isinstance(m, NonLocalBlock2d)]
    assert len(blocks) == 6  # every block of res4, as mmdet plugins do
    assert all(b.conv_out.norm.weight.abs().sum() == 0 for b in blocks)
    x = torch.randn(1, 3, 64, 64)
    resnet.eval()
    with torch.no_grad():
        out = resnet(x)[0]
        # identity at init: removing the blocks changes nothing
        for b in blocks:
            b.forward = lambda t: t
        ref = resnet(x)[0]
    torch.testing.assert_close(out, ref)


# ------------------------------------------- mmcv's own test cases, ours
# The behaviours mmcv's tests/test_cnn/test_non_local.py checks, on our
# classes (written here, not copied): 3 input channels with reduction 2,
# every mode, sub-sampling, zero / non-zero init, a norm after W_z.
ODD_SHAPES = {1: (2, 3, 10), 2: (2, 3, 6, 8), 3: (2, 3, 4, 6, 6)}


@pytest.mark.parametrize('dims', (1, 2, 3))
@pytest.mark.parametrize(
    'mode', ('gaussian', 'embedded_gaussian', 'dot_product', 'concatenation'))
@pytest.mark.parametrize('sub_sample', (False, True))
def test_channels_that_reduction_does_not_divide_work_as_in_mmcv(
        dims, mode, sub_sample):
    mmcv_cls, our_cls = PAIRS[dims]
    kwargs = dict(mode=mode, sub_sample=sub_sample)
    theirs = _perturb(mmcv_cls(3, **kwargs))
    ours = our_cls(3, norm_cfg=None, use_scale=True, **kwargs).eval()
    assert ours.inter_channels == theirs.inter_channels == 1
    assert (mode == 'gaussian') == (not hasattr(ours, 'phi'))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(ODD_SHAPES[dims])
    with torch.no_grad():
        out = ours(x)
        torch.testing.assert_close(out, theirs(x), rtol=1e-5, atol=1e-5)
    assert out.shape == x.shape


@pytest.mark.parametrize('in_channels,reduction,inner', [(3, 2, 1), (1, 2, 1),
                                                         (5, 4, 1), (9, 2, 4),
                                                         (8, 16, 1)])
def test_inner_width_is_mmcv_s(in_channels, reduction, inner):
    theirs = NonLocal2d(in_channels, reduction=reduction)
    ours = NonLocalBlock2d(in_channels, reduction=reduction)
    assert ours.inter_channels == theirs.inter_channels == inner


def test_mmcv_std_keyword_sets_the_embedding_init():
    torch.manual_seed(0)
    block = NonLocalBlock3d(64, std=0.05)
    assert block.init_std == 0.05
    for conv in (block.g.conv, block.theta.conv, block.phi.conv):
        assert conv.weight.std().item() == pytest.approx(0.05, rel=0.1)
        assert torch.count_nonzero(conv.bias) == 0
    # without it, the paper's Kaiming init: std sqrt(2 / fan_in) = 0.18
    assert NonLocalBlock3d(64).g.conv.weight.std().item() == pytest.approx(
        (2 / 64)**0.5, rel=0.1)
    assert NonLocalBlock3d(64, std=0.05, init_std=0.05).init_std == 0.05


@pytest.mark.parametrize('zeros_init', (True, False))
@pytest.mark.parametrize('norm_cfg', (None, dict(type='BN3d')))
def test_zero_and_non_zero_init_with_and_without_norm(zeros_init, norm_cfg):
    block = NonLocalBlock3d(3, zeros_init=zeros_init, norm_cfg=norm_cfg)
    out = block.conv_out.norm if norm_cfg else block.conv_out.conv
    assert (torch.count_nonzero(out.weight) == 0) == zeros_init
    x = torch.randn(ODD_SHAPES[3])
    with torch.no_grad():
        assert torch.equal(block.eval()(x), x) == zeros_init


def test_unknown_mode_raises_value_error_as_mmcv():
    for cls in (NonLocal3d, NonLocalBlock3d):
        with pytest.raises(ValueError):
            cls(3, mode='unsupport_mode')
