"""NLResNet3d: Table 1 shapes, C2D/I3D kernels, NL placement and init,
inflation,
MMAction2 drop-in (stock I3D-NL config and checkpoint)."""

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.hub import get_config

from nl_plugin.action import NLResNet3d
from nl_plugin.blocks import NonLocalBlock3d

C2D = dict(
    conv1_kernel=(1, 7, 7),
    conv1_stride_t=2,
    pool1_stride_t=2,
    pool1_kernel_t=3,
    pool2_kernel_t=3,
    inflate=0)
I3D_INFLATE = ((1, 1, 1), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 1, 0))
I3D = dict(
    conv1_kernel=(5, 7, 7),
    conv1_stride_t=2,
    pool1_stride_t=2,
    inflate=I3D_INFLATE,
    inflate_style='3x1x1')


def _stage_shapes(model, x):
    """(C, T, H, W) after conv1, pool1, res2, pool2, res3, res4, res5."""
    shapes = {}
    names = [
        'conv1', 'maxpool', 'layer1', 'pool2', 'layer2', 'layer3', 'layer4'
    ]
    hooks = [
        getattr(model, n).register_forward_hook(
            lambda m, i, o, n=n: shapes.__setitem__(n, tuple(o.shape[1:])))
        for n in names
    ]
    with torch.no_grad():
        model(x)
    for h in hooks:
        h.remove()
    return [shapes[n] for n in names]


@pytest.mark.parametrize('frames', [32, 128])
def test_c2d_stage_shapes_match_table_1(frames):
    # base_channels 8 = 1/8 of the paper's widths, to keep the test fast on a
    # CPU.
    model = NLResNet3d(
        depth=50, base_channels=8, non_local='5-block', **C2D).eval()
    got = _stage_shapes(model, torch.randn(1, 3, frames, 224, 224))
    t = frames // 2
    want = [(8, t, 112, 112), (8, t // 2, 56, 56), (32, t // 2, 56, 56),
            (32, t // 4, 56, 56), (64, t // 4, 28, 28), (128, t // 4, 14, 14),
            (256, t // 4, 7, 7)]
    assert got == want


def _temporal_kernels(model):
    return {
        name: m.kernel_size[0]
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.Conv3d) and 'non_local' not in name
    }


def test_c2d_has_no_temporal_kernel():
    kernels = _temporal_kernels(NLResNet3d(depth=101, **C2D))
    assert set(kernels.values()) == {1}
    assert len(
        kernels) == 1 + 3 * (3 + 4 + 23 + 3) + 4  # conv1, blocks, shortcuts


@pytest.mark.parametrize('depth', [50, 101])
@pytest.mark.parametrize('style', ['3x1x1', '3x3x3'])
def test_i3d_inflates_one_kernel_every_other_block(depth, style):
    res4 = tuple((i + 1) % 2 for i in range(23))
    inflate = I3D_INFLATE if depth == 50 else \
        ((1, 1, 1), (1, 0, 1, 0), res4, (0, 1, 0))
    model = NLResNet3d(
        depth=depth, **dict(I3D, inflate=inflate, inflate_style=style))
    kernels = _temporal_kernels(model)
    assert kernels['conv1.conv'] == 5
    inflated = sorted(n for n, k in kernels.items() if k == 3)
    conv = 'conv1' if style == '3x1x1' else 'conv2'
    want = sorted(f'layer{s + 1}.{b}.{conv}.conv'
                  for s, flags in enumerate(inflate)
                  for b, f in enumerate(flags) if f)
    assert inflated == want
    assert len(want) == (3 + 2 + 3 + 1 if depth == 50 else 3 + 2 + 12 + 1)


@pytest.mark.parametrize('depth,layout,want', [
    (50, '1-block', (('res4', 4), )),
    (101, '1-block', (('res4', 21), )),
    (50, '1-block-res2', (('res2', 1), )),
    (50, '1-block-res3', (('res3', 2), )),
    (50, '1-block-res5', (('res5', 1), )),
    (50, '5-block', (('res3', 1), ('res3', 3), ('res4', 1), ('res4', 3),
                     ('res4', 5))),
    (101, '5-block', (('res3', 1), ('res3', 3), ('res4', 6), ('res4', 13),
                      ('res4', 20))),
    (50, '10-block',
     tuple([('res3', i) for i in range(4)] + [('res4', i) for i in range(6)])),
    (50, dict(res2=(0, ), res5=(2, )), (('res2', 0), ('res5', 2))),
    (50, ((0, 0, 1), 0, 0, (1, 0, 0)), (('res2', 2), ('res5', 0))),
])
def test_non_local_layouts(depth, layout, want):
    model = NLResNet3d(depth=depth, non_local=layout, **C2D)
    assert model.non_local_positions == want
    names = [name for name, _ in model.non_local_blocks()]
    stage_layer = {
        'res2': 'layer1',
        'res3': 'layer2',
        'res4': 'layer3',
        'res5': 'layer4'
    }
    assert names == [f'{stage_layer[s]}.{i}.non_local_block' for s, i in want]


def test_r101_10_block_has_ten_blocks():
    model = NLResNet3d(depth=101, non_local='10-block', **C2D)
    assert len(model.non_local_blocks()) == 10


@pytest.mark.parametrize('kwargs,match', [
    (dict(non_local='3-block'), 'unknown layout'),
    (dict(non_local=dict(res4=(6, ))), 'out of range'),
    (dict(non_local=dict(res6=(0, ))), 'unknown stage'),
    (dict(non_local=((0, 0), 0, 0, 0)), 'res2 needs 3 flags'),
    (dict(depth=152, non_local='5-block'), 'depth 50 or 101'),
    (dict(depth=34, non_local='5-block'), 'depth 50 or 101'),
    (dict(pool1_kernel_t=0), 'pool1_kernel_t'),
    (dict(pool1_padding_s=2), 'pool1_padding_s'),
    (dict(conv1_stride_t=0), 'conv1_stride_t'),
    (dict(non_local_stage_cfg=dict(res6=dict())), 'non_local_stage_cfg'),
    (dict(non_local_stage_cfg=dict(res3='grouped')), 'non_local_stage_cfg'),
    (dict(
        non_local='5-block',
        non_local_stage_cfg=dict(res3=dict(neighbourhood='grouped_time'))),
     'group_size'),
    (dict(non_local='1-block', non_local_cfg=dict(mode='softmax')), 'mode'),
])
def test_bad_specs_raise_at_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NLResNet3d(**kwargs)


def test_non_local_blocks_stay_identity_after_init_weights():
    cfg = dict(
        depth=50,
        base_channels=8,
        non_local='5-block',
        non_local_cfg=dict(sub_sample=True),
        **I3D)
    model = NLResNet3d(pretrained=None, **cfg)
    model.init_weights()  # upstream sets every BN gamma to 1 here
    gammas = [b.conv_out.norm.weight for _, b in model.non_local_blocks()]
    assert len(gammas) == 5 and all(g.abs().sum() == 0 for g in gammas)
    plain = NLResNet3d(pretrained=None, **dict(cfg, non_local='none'))
    missing = plain.load_state_dict(model.state_dict(), strict=False)
    assert all('non_local' in k for k in missing.unexpected_keys)
    x = torch.randn(1, 3, 8, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model.eval()(x), plain.eval()(x))


# ----------------------------------------------------------------- inflation
def _random_2d_resnet(depth, base_channels):
    """mmdet's 2D ResNet: torchvision's parameter names, random weights and
    stats."""
    import mmdet.models  # noqa: F401
    from mmdet.models.backbones import ResNet
    model = ResNet(depth=depth, base_channels=base_channels, out_indices=(3, ))
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('running_var'):
                t.uniform_(0.5, 1.5)
            elif t.is_floating_point():
                t.normal_(
                    0,
                    0.1 if 'conv' in name or 'downsample.0' in name else 0.5)
    model.eval()  # mmdet's ResNet.train() returns None
    return model


@pytest.mark.parametrize('layout', ['torchvision', 'mmpretrain'])
def test_inflated_model_on_identical_frames_equals_2d_model(tmp_path, layout):
    model_2d = _random_2d_resnet(50, 8)
    state = model_2d.state_dict()
    state['fc.weight'] = torch.randn(
        10, 256)  # a classifier the backbone has no use for
    if layout == 'mmpretrain':
        state = {
            ('head.' if k.startswith('fc') else 'backbone.') + k: v
            for k, v in state.items()
        }
        state = dict(state_dict=state, meta=dict(epoch=1))
    path = str(tmp_path / 'resnet50_2d.pth')
    torch.save(state, path)

    # Temporal stride 1 everywhere, so interior frames never see the temporal
    # padding.
    model_3d = NLResNet3d(
        depth=50,
        base_channels=8,
        pretrained=path,
        pretrained2d=True,
        conv1_kernel=(5, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        with_pool2=False,
        inflate=I3D_INFLATE,
        non_local='5-block',
        non_local_cfg=dict(sub_sample=True))
    model_3d.init_weights()
    report = model_3d.inflation_report
    assert report.mismatched == []
    assert report.unused == (['head.fc.weight']
                             if layout == 'mmpretrain' else ['fc.weight'])
    assert all('non_local_block' in name for name in report.kept_init)
    assert len(report.kept_init) > 0
    assert 'conv1.conv.weight' in report.inflated
    assert 'layer1.0.conv1.bn.running_mean' in report.copied

    frame = torch.randn(1, 3, 64, 64)
    # 11 temporal kernels of size 3 (conv1: 5) reach 11 frames
    frames = 2 * 11 + 1
    clip = frame.unsqueeze(2).expand(-1, -1, frames, -1, -1).contiguous()
    with torch.no_grad():
        want = model_2d(frame)[0]  # (1, 256, 2, 2)
        got = model_3d.eval()(clip)[:, :, frames // 2]
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('source,error', [
    ('torchvision://resnet50', ValueError),
    ('https://example.com/resnet50.pth', ValueError),
    ('/no/such/resnet50.pth', FileNotFoundError),
])
def test_inflation_source_must_be_a_local_file(source, error):
    model = NLResNet3d(depth=50, pretrained=source, pretrained2d=True, **I3D)
    with pytest.raises(error, match='pretrained'):
        model.init_weights()


# --------------------------------------------------- MMAction2 drop-in
STOCK = ('mmaction::recognition/i3d/i3d_imagenet-pretrained-r50-nl-{}'
         '_8xb8-32x2x1-100e_kinetics400-rgb.py')


@pytest.mark.parametrize('mode',
                         ['embedded-gaussian', 'gaussian', 'dot-product'])
def test_stock_mmaction_i3d_nl_checkpoint_loads_strictly_with_equal_logits(
        tmp_path, mode):
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS as ACTION_MODELS
    from mmengine.registry import DefaultScope
    cfg = get_config(STOCK.format(mode)).model
    # no download; weights come from the checkpoint
    cfg.backbone.pretrained = None
    cfg.cls_head.num_classes = 7
    with DefaultScope.overwrite_default_scope('mmaction'):
        stock = ACTION_MODELS.build(cfg)
        with torch.no_grad():
            for name, t in stock.state_dict().items():
                if name.endswith('running_var'):
                    t.uniform_(0.5, 1.5)
                elif t.is_floating_point():
                    t.normal_(0, 0.05)
        path = str(tmp_path / 'i3d_nl.pth')
        torch.save(dict(state_dict=stock.state_dict()), path)
        cfg.backbone.type = 'NLResNet3d'
        ours = ACTION_MODELS.build(cfg)
    assert type(ours.backbone) is NLResNet3d
    assert len(ours.backbone.non_local_blocks()) == 5
    ours.load_state_dict(
        torch.load(path, weights_only=True)['state_dict'], strict=True)
    x = torch.randn(1, 1, 3, 8, 64, 64)  # (batch, views, C, T, H, W)
    stock.eval(), ours.eval()
    with torch.no_grad():
        want = stock(x, mode='tensor', stage='head')  # class scores
        got = ours(x, mode='tensor', stage='head')
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-5)
    assert isinstance(ours.backbone.layer2[1].non_local_block, NonLocalBlock3d)


def test_registered_and_buildable_from_config():
    model = MODELS.build(
        dict(type='NLResNet3d', depth=50, non_local='1-block', **C2D))
    assert model.non_local_positions == (('res4', 4), )


# ------------------------------------------- the official code's options
def test_unpadded_pool1_floors_as_caffe2():
    """pool1 3x3 stride 2 without padding: 112 -> 55 (padded: 56); the
    later maps have upstream's sizes, on a shifted grid."""
    shapes = {}
    for pad in (0, 1):
        model = NLResNet3d(
            depth=50,
            base_channels=8,
            pool1_padding_s=pad,
            **dict(C2D, pool1_kernel_t=2)).eval()
        shapes[pad] = _stage_shapes(model, torch.randn(1, 3, 32, 224, 224))
    assert shapes[0][1] == (8, 8, 55, 55) and shapes[1][1] == (8, 8, 56, 56)
    assert shapes[0][4:] == shapes[1][4:]  # res3 onwards: 28, 14, 7


def test_stage_cfg_changes_only_that_stage():
    model = NLResNet3d(
        depth=50,
        non_local='5-block',
        non_local_cfg=dict(sub_sample=True, norm_cfg=None),
        non_local_stage_cfg=dict(
            res3=dict(neighbourhood='grouped_time', group_size=4)),
        **C2D)
    blocks = dict(model.non_local_blocks())
    assert [
        (b.neighbourhood, b.group_size, b.sub_sample) for b in blocks.values()
    ] == [('grouped_time', 4, True)] * 2 + [('spacetime', None, True)] * 3
    assert all(not b.conv_out.with_norm for b in blocks.values())
    assert all(b.theta.conv.bias is not None for b in blocks.values())


def test_frozen_affine_backbone_has_no_batch_norm_to_train():
    from nl_plugin.blocks import FrozenAffine
    model = NLResNet3d(
        depth=50,
        base_channels=8,
        pretrained=None,
        norm_cfg=dict(type='FrozenAffine'),
        **I3D)
    model.init_weights()
    norms = [m for m in model.modules() if isinstance(m, FrozenAffine)]
    assert len(norms) == 1 + 3 * 16 + 4
    assert not any(
        isinstance(m, torch.nn.modules.batchnorm._BatchNorm)
        for m in model.modules())
    assert not any('bn' in n for n, _ in model.named_parameters())


def _saved_numel(model, x):
    """Output, input and parameter gradients of ``model(x)``, and the number
    of elements autograd saved for backward."""
    saved = []

    def pack(t):
        saved.append(t.numel())
        return t

    x = x.clone().requires_grad_(True)
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    out.sum().backward()  # upstream's reentrant checkpoint: no autograd.grad
    return [out, x.grad] + [p.grad for p in model.parameters()], sum(saved)


def test_with_cp_checkpoints_residual_and_nl_blocks_exactly():
    kwargs = dict(
        depth=50,
        base_channels=8,
        non_local='5-block',
        non_local_cfg=dict(sub_sample=True),
        recompute_norm_act=False,  # the residual blocks as upstream's
        **I3D)
    models = [NLResNet3d(with_cp=cp, **kwargs).train() for cp in (False, True)]
    with torch.no_grad():
        for _, block in models[0].non_local_blocks():
            block.conv_out.norm.weight.normal_()  # NL blocks matter
    models[1].load_state_dict(models[0].state_dict())
    assert [b.with_cp for _, b in models[1].non_local_blocks()] == [True] * 5
    x = torch.randn(2, 3, 8, 64, 64)
    (plain, plain_saved), (cp, cp_saved) = (_saved_numel(m, x) for m in models)
    for a, b in zip(plain, cp):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert cp_saved < plain_saved / 2
    no_nl_cp = NLResNet3d(
        with_cp=True, **dict(kwargs, non_local_cfg=dict(with_cp=False)))
    assert not any(b.with_cp for _, b in no_nl_cp.non_local_blocks())
