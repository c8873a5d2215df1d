"""NLResNet under the behaviours mmdet's own ResNet tests check
(tests/test_models/test_backbones/test_resnet.py upstream; written here, not
copied), and our NL block as an mmdet ``plugins`` entry in mmcv's place."""
import pytest
import torch
from mmdet.models.backbones import ResNet
from mmdet.models.backbones.resnet import BasicBlock, Bottleneck
from torch.nn.modules.batchnorm import _BatchNorm

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import NLResNet

IMAGE = (1, 3, 32, 32)


def _eval(model):
    model.eval()  # mmdet's train() returns None
    return model


def test_upstream_argument_checks_come_first():
    with pytest.raises(KeyError):
        NLResNet(20)
    for num_stages in (0, 5):
        with pytest.raises(AssertionError):
            NLResNet(50, num_stages=num_stages)
    with pytest.raises(AssertionError):
        NLResNet(50, strides=(1, ), dilations=(1, 1), num_stages=3)
    with pytest.raises(AssertionError):
        NLResNet(50, style='tensorflow')
    with pytest.raises(TypeError):
        NLResNet(50, pretrained=0)


@pytest.mark.parametrize('depth,block,widths', [
    (18, BasicBlock, (64, 128, 256, 512)),
    (34, BasicBlock, (64, 128, 256, 512)),
    (50, Bottleneck, (256, 512, 1024, 2048)),
])
def test_depths_and_positional_arguments_as_mmdet(depth, block, widths):
    ours, theirs = NLResNet(depth, 3, 64, 64), ResNet(depth, 3, 64, 64)
    assert isinstance(ours.layer1[0], block)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.train()
    feats = ours(torch.randn(IMAGE))
    assert [tuple(f.shape) for f in feats] == [(1, w, 8 // 2**i, 8 // 2**i)
                                               for i, w in enumerate(widths)]


@pytest.mark.parametrize('depth', (18, 50))
def test_norm_eval_frozen_stages_and_zero_init_residual(depth):
    model = NLResNet(depth, norm_eval=True, base_channels=4)
    model.train()
    assert not any(m.training
                   for m in model.modules() if isinstance(m, _BatchNorm))
    model = NLResNet(depth, frozen_stages=1, base_channels=4)
    model.init_weights()
    model.train()
    assert not model.norm1.training
    for module in (model.conv1, model.norm1, model.layer1):
        assert not any(p.requires_grad for p in module.parameters())
    last = 'norm2' if depth == 18 else 'norm3'
    for block in model.layer2:
        assert torch.count_nonzero(getattr(block, last).weight) == 0


@pytest.mark.parametrize('depth,index,channels', [(18, 0, 64), (34, 4, 64),
                                                  (50, 4, 256)])
def test_one_block_in_basic_and_bottleneck_networks(depth, index, channels):
    model = NLResNet(depth, base_channels=16, non_local='1-block')
    (name, block), = model.non_local_blocks()
    assert name == f'layer3.{index}.non_local_block'
    assert block.in_channels == channels
    model.init_weights()
    plain = ResNet(depth, base_channels=16)
    plain.load_state_dict(model.state_dict(), strict=False)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        for got, want in zip(_eval(model)(x), _eval(plain)(x)):
            torch.testing.assert_close(got, want)  # identity at init


def test_plugin_gets_mmcv_s_name():
    plugins = [dict(cfg=dict(type='NonLocalBlock2d'), position='after_conv2')]
    block = Bottleneck(64, 16, plugins=plugins)
    assert isinstance(block.nonlocal_block, NonLocalBlock2d)
    assert block.nonlocal_block.in_channels == 16
    assert block(torch.randn(1, 64, 16, 16)).shape == (1, 64, 16, 16)


def test_mmdet_checkpoint_with_mmcv_nl_plugins_loads_strictly():
    """An mmdet ResNet made with mmcv's NonLocal2d plugins; the same network
    with ours (mmcv's defaults where ours differ: no norm, scaled)."""
    stages = (False, True, True, False)

    def plugins(cfg):
        return [dict(cfg=cfg, stages=stages, position='after_conv2')]

    theirs = ResNet(
        50, base_channels=8, plugins=plugins(dict(type='NonLocal2d')))
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_(0, 0.1)
    ours = ResNet(
        50,
        base_channels=8,
        plugins=plugins(
            dict(type='NonLocalBlock2d', norm_cfg=None, use_scale=True)))
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        for got, want in zip(_eval(ours)(x), _eval(theirs)(x)):
            torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)
