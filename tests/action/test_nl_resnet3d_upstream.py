"""NLResNet3d under the behaviours MMAction2's own ResNet3d tests check
(tests/models/backbones/test_resnet3d.py upstream; written here, not copied):
positional arguments, depths 18/34 with basic blocks, upstream's argument
assertions, norm_eval / frozen stages / zero-init residuals, NL blocks at the
flagged blocks, upstream state dicts loading strictly with equal outputs."""
import pytest
import torch
from mmaction.models import ResNet3d
from mmengine.utils.dl_utils.parrots_wrapper import _BatchNorm

from nl_plugin.action import NLResNet3d
from nl_plugin.action.backbones.nl_resnet3d import (NLBasicBlock3d,
                                                    NLBottleneck3d)
from nl_plugin.blocks import NonLocalBlock3d

CLIP = (1, 3, 6, 64, 64)
NON_LOCAL = ((0, 0, 0), (1, 0, 1, 0), (1, 0, 1, 0, 1, 0), (0, 0, 0))
# upstream's test NL settings (mmcv NonLocal3d arguments)
NON_LOCAL_CFG = dict(
    sub_sample=True,
    use_scale=False,
    norm_cfg=dict(type='BN3d', requires_grad=True),
    mode='embedded_gaussian')


def _norms_train(model) -> set:
    return {m.training for m in model.modules() if isinstance(m, _BatchNorm)}


def _perturb(model):
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.05)
    model.eval()  # upstream's train() returns None
    return model


@pytest.mark.parametrize('kwargs', [
    dict(num_stages=0),
    dict(num_stages=5),
    dict(
        spatial_strides=(1, ),
        temporal_strides=(1, 1),
        dilations=(1, 1, 1),
        num_stages=4),
])
@pytest.mark.parametrize('depth', (34, 50))
def test_upstream_assertions_come_first(depth, kwargs):
    for cls in (ResNet3d, NLResNet3d):
        with pytest.raises(AssertionError):
            cls(depth, None, **kwargs)


def test_unknown_depth_and_bad_pretrained_raise_as_upstream():
    with pytest.raises(KeyError, match='invalid depth 20'):
        NLResNet3d(20, None)
    with pytest.raises(TypeError, match='pretrained'):
        NLResNet3d(34, ['resnet', 'bninception']).init_weights()


@pytest.mark.parametrize('depth,block,channels', [(18, NLBasicBlock3d, 512),
                                                  (34, NLBasicBlock3d, 512),
                                                  (50, NLBottleneck3d, 2048)])
def test_positional_arguments_and_depths_as_resnet3d(depth, block, channels):
    ours, theirs = NLResNet3d(depth, None, None,
                              False), ResNet3d(depth, None, None, False)
    assert not ours.pretrained2d and ours.pretrained is None
    assert isinstance(ours.layer1[0], block)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        assert ours(torch.randn(CLIP)).shape == (1, channels, 3, 2, 2)


@pytest.mark.parametrize('depth', (34, 50))
def test_norm_eval_frozen_stages_and_zero_init_residual(depth):
    model = NLResNet3d(depth, None, pretrained2d=False, norm_eval=True)
    model.init_weights()
    assert model.train() is model and _norms_train(model) == {False}
    model = NLResNet3d(depth, None, pretrained2d=False, frozen_stages=1)
    model.init_weights()
    model.train()
    assert not model.conv1.bn.training
    for module in (model.conv1, model.layer1):
        assert not any(p.requires_grad for p in module.parameters())
        assert _norms_train(module) == {False}
    assert _norms_train(model.layer2) == {True}
    last = 'conv2' if depth == 34 else 'conv3'
    for block in model.layer2:  # zero-init residual: last BN of each block
        bn = getattr(block, last).bn
        assert torch.count_nonzero(bn.weight) == 0
        assert torch.count_nonzero(bn.bias) == 0


@pytest.mark.parametrize('depth', (34, 50))
def test_flagged_blocks_get_our_nl_block(depth):
    model = NLResNet3d(
        depth,
        None,
        pretrained2d=False,
        non_local=NON_LOCAL,
        non_local_cfg=NON_LOCAL_CFG)
    model.init_weights()
    layers = (model.layer2, model.layer3)
    for layer, flags in zip(layers, NON_LOCAL[1:3]):
        for block, flag in zip(layer, flags):
            assert hasattr(block, 'non_local_block') == bool(flag)
            if flag:
                assert isinstance(block.non_local_block, NonLocalBlock3d)
                assert block.non_local_block.in_channels == \
                    block.planes * block.expansion
    with torch.no_grad():
        expected = 512 if depth == 34 else 2048
        assert model(torch.randn(CLIP)).shape == (1, expected, 3, 2, 2)


@pytest.mark.parametrize('depth', (18, 34, 50))
def test_upstream_state_dict_loads_strictly_with_equal_outputs(depth):
    theirs = _perturb(
        ResNet3d(
            depth,
            None,
            pretrained2d=False,
            base_channels=16,
            non_local=NON_LOCAL if depth != 18 else 0,
            non_local_cfg=NON_LOCAL_CFG))
    ours = NLResNet3d(
        depth,
        None,
        pretrained2d=False,
        base_channels=16,
        non_local=NON_LOCAL if depth != 18 else 0,
        non_local_cfg=NON_LOCAL_CFG).eval()
    ours.load_state_dict(theirs.state_dict(), strict=True)
    x = torch.randn(CLIP)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), rtol=1e-4, atol=1e-4)
