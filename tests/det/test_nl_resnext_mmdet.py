"""NLResNeXt: mmdet ResNeXt drop-in with NL blocks at chosen residual blocks
(the X152 Mask R-CNN configs: test_detection_configs.py)."""
import pytest
import torch
from mmdet.models.backbones import ResNeXt

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.det import NLResNeXt

SMALL = dict(groups=4, base_width=4, base_channels=16)


def test_one_block_before_the_last_block_of_res4_of_x152():
    model = NLResNeXt(depth=152, non_local='1-block', **SMALL)
    assert len(model.layer3) == 36
    assert model.non_local_positions == (('res4', 34), )
    (name, block), = model.non_local_blocks()
    assert name == 'layer3.34.non_local_block'
    assert isinstance(block, NonLocalBlock2d) and block.in_channels == 256
    assert model.layer3[34].conv2.groups == 4


def test_mmdet_resnext_weights_load_and_block_is_identity_after_init():
    plain = ResNeXt(depth=50, out_indices=(0, 1, 2, 3), **SMALL)
    plain.init_weights()
    ours = NLResNeXt(
        depth=50, out_indices=(0, 1, 2, 3), non_local='1-block', **SMALL)
    ours.init_weights()  # mmdet's init sets every BN gamma to 1 first
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


def test_bad_depth_and_missing_checkpoint_raise():
    with pytest.raises(ValueError, match=r'depth must be one of \[50, 101'):
        NLResNeXt(depth=34, **SMALL)
    with pytest.raises(FileNotFoundError, match='init_cfg.checkpoint'):
        NLResNeXt(
            depth=50,
            init_cfg=dict(type='Pretrained', checkpoint='/no/such.pth'),
            **SMALL)
