"""NLResNet / NLResNeXt: mmdet ResNet / ResNeXt drop-ins with NL blocks at
chosen residual blocks (the detection configs: test_detection_configs.py)."""
import pytest
import torch
from mmdet.models.backbones import ResNet, ResNeXt

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import NLResNet, NLResNeXt

SMALL_RESNEXT = dict(groups=4, base_width=4, base_channels=16)


@pytest.mark.parametrize('depth,index', [(50, 4), (101, 21)])
def test_one_block_before_the_last_block_of_res4(depth, index):
    model = NLResNet(depth=depth, non_local='1-block')
    assert model.non_local_positions == (('res4', index), )
    blocks = model.non_local_blocks()
    assert [name for name, _ in blocks] == [f'layer3.{index}.non_local_block']
    assert len(model.layer3) == index + 2
    assert isinstance(blocks[0][1], NonLocalBlock2d)
    assert blocks[0][1].in_channels == 1024


def test_one_block_before_the_last_block_of_res4_of_x152():
    model = NLResNeXt(depth=152, non_local='1-block', **SMALL_RESNEXT)
    assert len(model.layer3) == 36
    assert model.non_local_positions == (('res4', 34), )
    (name, block), = model.non_local_blocks()
    assert name == 'layer3.34.non_local_block'
    assert isinstance(block, NonLocalBlock2d) and block.in_channels == 256
    assert model.layer3[34].conv2.groups == 4


@pytest.mark.parametrize(
    'plain_type,ours_type,kwargs', [(ResNet, NLResNet, dict(base_channels=16)),
                                    (ResNeXt, NLResNeXt, SMALL_RESNEXT)],
    ids=['resnet', 'resnext'])
def test_mmdet_weights_load_and_block_is_identity_after_init(
        plain_type, ours_type, kwargs):
    plain = plain_type(depth=50, out_indices=(0, 1, 2, 3), **kwargs)
    plain.init_weights()
    ours = ours_type(
        depth=50,
        out_indices=(0, 1, 2, 3),
        non_local='1-block',
        non_local_cfg=dict(sub_sample=True),
        **kwargs)
    ours.init_weights(
    )  # mmdet's init sets every BN gamma to 1 before the blocks'
    assert ours.layer3[4].non_local_block.conv_out.norm.weight.abs().sum() == 0
    result = ours.load_state_dict(plain.state_dict(), strict=False)
    assert result.unexpected_keys == []
    assert result.missing_keys and all('non_local_block' in k
                                       for k in result.missing_keys)
    plain.eval(), ours.eval()
    x = torch.randn(1, 3, 96, 96)
    with torch.no_grad():
        for got, want in zip(ours(x), plain(x)):
            torch.testing.assert_close(got, want)


def test_non_local_block_follows_the_residual_block():
    model = NLResNet(depth=50, base_channels=16, non_local='1-block').eval()
    block = model.layer3[4]
    seen = {}
    block.non_local_block.register_forward_hook(
        lambda m, i, o: seen.update(x=i[0]))
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        model(x)
        block.non_local_block, nl = None, block.non_local_block
        # the NL input is exactly the plain residual block's output (after
        # ReLU)
        inner = {}
        h = block.register_forward_hook(lambda m, i, o: inner.update(y=o))
        model(x)
        h.remove()
    torch.testing.assert_close(seen['x'], inner['y'])
    assert nl is not None


def test_construction_reads_no_checkpoint_file():
    """Paths in init_cfg are checked before a run (tools/train.py), not by
    the module: building it touches no file."""
    model = NLResNet(
        depth=50,
        non_local='1-block',
        init_cfg=dict(type='Pretrained', checkpoint='/no/such/file.pth'))
    assert model.init_cfg['checkpoint'] == '/no/such/file.pth'


def test_bad_depth_and_spec_raise():
    with pytest.raises(KeyError, match='invalid depth 34'):  # as mmdet's
        NLResNeXt(depth=34, **SMALL_RESNEXT)
    with pytest.raises(ValueError, match='out of range'):
        NLResNet(depth=50, non_local=dict(res4=(7, )))
    with pytest.raises(ValueError, match='depth 50 or 101'):
        NLResNet(depth=18, non_local='5-block')
