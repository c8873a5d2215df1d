"""NLResNet: mmdet ResNet drop-in with NL blocks at chosen residual blocks."""
import pytest
import torch

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import NLResNet


@pytest.mark.parametrize('depth,index', [(50, 4), (101, 21)])
def test_one_block_before_the_last_block_of_res4(depth, index):
    model = NLResNet(depth=depth, non_local='1-block')
    assert model.non_local_positions == (('res4', index), )
    blocks = model.non_local_blocks()
    assert [name for name, _ in blocks] == [f'layer3.{index}.non_local_block']
    assert len(model.layer3) == index + 2
    assert isinstance(blocks[0][1], NonLocalBlock2d)
    assert blocks[0][1].in_channels == 1024


def test_mmdet_resnet_weights_load_and_block_is_identity_after_init():
    import mmdet.models  # noqa: F401
    from mmdet.models.backbones import ResNet
    plain = ResNet(depth=50, base_channels=16, out_indices=(0, 1, 2, 3))
    plain.init_weights()
    ours = NLResNet(
        depth=50,
        base_channels=16,
        out_indices=(0, 1, 2, 3),
        non_local='1-block',
        non_local_cfg=dict(sub_sample=True))
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


def test_bad_spec_raises():
    with pytest.raises(ValueError, match='out of range'):
        NLResNet(depth=50, non_local=dict(res4=(7, )))
    with pytest.raises(ValueError, match='depth 50 or 101'):
        NLResNet(depth=18, non_local='5-block')
