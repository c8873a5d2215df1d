"""configs/detection: every config builds; NL placement, modes, schedules,
local init."""
import functools
import glob
import os

import pytest
import torch
from mmdet.models.backbones import ResNet
from mmdet.registry import MODELS
from mmdet.testing import demo_mm_inputs
from mmengine.config import Config
from mmengine.registry import DefaultScope

from nl_plugin.blocks import NonLocalBlock2d
from nl_plugin.engine import config_errors
from project_paths import ROOT

CONFIG_DIR = os.path.join(ROOT, 'configs', 'detection')
COCO_CONFIGS = sorted(
    os.path.basename(p)
    for p in glob.glob(os.path.join(CONFIG_DIR, 'mask-rcnn_*_coco.py')))
ALL_CONFIGS = sorted(
    os.path.basename(p)
    for p in glob.glob(os.path.join(CONFIG_DIR, 'mask-rcnn_*.py'))
)  # keypoint-rcnn_*: test_keypoint_rcnn.py
ENV_VARS = ('NL_PLUGIN_R50_IMAGENET', 'NL_PLUGIN_R101_IMAGENET',
            'NL_PLUGIN_X152_IMAGENET')
BACKBONES = {'r50': 'r50', 'r101': 'r101', 'x152': 'x152-32x8d'}
RES4_BLOCKS = {'r50': 6, 'r101': 23, 'x152': 36}


def load(name: str) -> Config:
    return Config.fromfile(os.path.join(CONFIG_DIR, name))


def backbone_of(name: str) -> str:
    """``'r50'``, ``'r101'`` or ``'x152'`` from a config name."""
    return name.split('_')[1].split('-')[0]


def build(cfg: Config):
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        return MODELS.build(cfg.model)


@functools.lru_cache(maxsize=None)
def built(name: str):
    """The detector of config ``name``, built once for the checks that only
    read it (X152 takes long to build on a CPU); the ImageNet path must exist
    (``imagenet_file``)."""
    return build(load(name))


@pytest.fixture
def imagenet_file(tmp_path, monkeypatch):
    """A local stand-in ImageNet checkpoint the configs are pointed at by env
    vars.

    It is a random mmdet ResNet-50's state dict plus torchvision's ``fc`` keys:
    the layout of torchvision's ``resnet50-0676ba61.pth``.
    """
    state = ResNet(depth=50).state_dict()
    state['fc.weight'] = torch.randn(1000, 2048)
    state['fc.bias'] = torch.zeros(1000)
    path = str(tmp_path / 'resnet50.pth')
    torch.save(state, path)
    for var in ENV_VARS:
        monkeypatch.setenv(var, path)
    return path


def test_grid_is_complete():
    expected = {
        f'mask-rcnn_{d}{nl}_fpn_{s}_coco.py'
        for d in BACKBONES.values()
        for nl in ('', '-nl1')
        for s in (('1x', ) if d.startswith('x152') else ('1x', '2x'))
    }
    expected |= {
        f'mask-rcnn_r50-nl1-{m}_fpn_1x_coco.py'
        for m in ('gaussian', 'dot-product', 'concatenation')
    }
    assert set(COCO_CONFIGS) == expected


@pytest.mark.parametrize('name', ALL_CONFIGS)
def test_config_builds_a_mask_rcnn(name, imagenet_file):
    cfg = load(name)
    assert cfg.default_scope == 'mmdet'
    assert cfg.custom_imports == dict(
        imports=['nl_plugin.det'], allow_failed_imports=False)
    model = built(name)
    assert type(model).__name__ == 'MaskRCNN'
    # baselines use mmdet's own ResNet / ResNeXt, the NL configs ours
    backbone = backbone_of(name)
    stock = 'ResNeXt' if backbone == 'x152' else 'ResNet'
    expected = ('NL' + stock) if '-nl1' in name else stock
    assert type(model.backbone).__name__ == expected
    assert len(model.backbone.layer3) == RES4_BLOCKS[backbone]
    if backbone == 'x152':  # 32 groups of width 8 in res2, 64 in res5
        assert model.backbone.layer1[0].conv2.groups == 32
        assert model.backbone.layer1[0].conv2.out_channels == 32 * 8
        assert model.backbone.layer4[0].conv2.out_channels == 32 * 64


@pytest.mark.parametrize('name', [n for n in ALL_CONFIGS if '-nl1' in n])
def test_exactly_one_nl_block_before_the_last_res4_block(name, imagenet_file):
    cfg = load(name)
    backbone = built(name).backbone
    blocks = [m for m in backbone.modules() if isinstance(m, NonLocalBlock2d)]
    assert len(blocks) == 1
    res4 = backbone.layer3
    # attached after block -2 of res4, i.e. it runs right before the last block
    assert res4[len(res4) - 2].non_local_block is blocks[0]
    assert blocks[0].in_channels == 1024 and blocks[0].inter_channels == 512
    assert blocks[0].sub_sample
    assert blocks[0].pool_position == 'after_embedding'
    for layer in (backbone.layer1, backbone.layer2, backbone.layer4):
        assert all(b.non_local_block is None for b in layer)
    expected_mode = cfg.model.backbone.non_local_cfg.mode
    assert blocks[0].mode == expected_mode
    for mode in ('gaussian', 'dot-product', 'concatenation'):
        if f'-{mode}_' in name:
            assert expected_mode == mode.replace('-', '_')
    # NaN guard of every NL config
    assert cfg.optim_wrapper.clip_grad == dict(max_norm=35, norm_type=2)


@pytest.mark.parametrize('name', [n for n in COCO_CONFIGS if '-nl1' not in n])
def test_baselines_have_no_nl_block_and_no_clipping(name, imagenet_file):
    cfg = load(name)
    model = built(name)
    assert not any(isinstance(m, NonLocalBlock2d) for m in model.modules())
    assert 'clip_grad' not in cfg.optim_wrapper


@pytest.mark.parametrize('name', COCO_CONFIGS)
def test_schedule_and_coco_data(name):
    cfg = load(name)
    epochs, milestones = (24, [16, 22]) if '_2x_' in name else (12, [8, 11])
    assert cfg.train_cfg.max_epochs == epochs
    assert cfg.param_scheduler[-1].milestones == milestones
    assert cfg.param_scheduler[-1].end == epochs
    assert cfg.train_dataloader.dataset.ann_file.endswith(
        'instances_train2017.json')
    assert cfg.val_evaluator.metric == ['bbox', 'segm']


@pytest.mark.parametrize('name', COCO_CONFIGS)
def test_pretrained_is_a_local_file_and_nothing_is_downloaded(
        name, monkeypatch):
    for var in ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    cfg = load(name)
    checkpoint = cfg.model.backbone.init_cfg.checkpoint
    assert checkpoint.startswith('checkpoints/resne')  # local default path
    build(cfg)  # building the model reads no file
    # refused before a training run, before any weight loading
    assert (f'model.backbone.init_cfg.checkpoint: checkpoint file '
            f'{checkpoint!r} does not exist') in config_errors(cfg, 'train')


@pytest.mark.parametrize(
    'name',
    ['mask-rcnn_r50_fpn_1x_coco.py', 'mask-rcnn_r50-nl1_fpn_1x_coco.py'])
def test_remote_checkpoint_is_refused(name, monkeypatch):
    monkeypatch.setenv('NL_PLUGIN_R50_IMAGENET', 'torchvision://resnet50')
    assert ("model.backbone.init_cfg.checkpoint: 'torchvision://resnet50' "
            'would be downloaded') in ' '.join(
                config_errors(load(name), 'train'))


def test_local_imagenet_init_keeps_nl_detector_equal_to_baseline(
        imagenet_file):
    """After init_weights() from the local file, the NL backbone computes
    exactly
    the baseline backbone's features: the NL block starts as the identity."""
    baseline = build(load('mask-rcnn_r50_fpn_1x_coco.py'))
    with_nl = build(load('mask-rcnn_r50-nl1_fpn_1x_coco.py'))
    baseline.backbone.init_weights()  # what the Runner's model.init_weights()
    with_nl.backbone.init_weights()  # does for the backbone
    state = torch.load(imagenet_file, weights_only=True)
    loaded = with_nl.backbone.state_dict()
    for key in ('conv1.weight', 'layer3.4.conv2.weight',
                'layer4.2.bn3.running_var'):
        torch.testing.assert_close(loaded[key], state[key], rtol=0, atol=0)
    block = with_nl.backbone.layer3[4].non_local_block
    assert torch.count_nonzero(block.conv_out.norm.weight) == 0
    baseline.eval()
    with_nl.eval()
    x = torch.randn(1, 3, 96, 128)
    with torch.no_grad():
        for a, b in zip(baseline.backbone(x), with_nl.backbone(x)):
            torch.testing.assert_close(a, b, rtol=0, atol=0)


# R50 / R101: test_local_imagenet_init_keeps_nl_detector_equal_to_baseline
# and test_detection_training.py
NL_X152 = ['mask-rcnn_x152-32x8d-nl1_fpn_1x_coco.py']


@pytest.mark.parametrize('name', NL_X152)
def test_nl_detector_is_its_baseline_at_init(name, imagenet_file):
    backbone = built(name).backbone
    # mmdet's default init of a ResNet (every BN gamma to 1), which the NL
    # block's own init must survive
    backbone.init_cfg = [
        dict(type='Kaiming', layer='Conv2d'),
        dict(type='Constant', val=1, layer=['_BatchNorm', 'GroupNorm'])
    ]
    backbone.init_weights()
    res4 = backbone.layer3
    block = res4[len(res4) - 2].non_local_block
    assert torch.count_nonzero(block.conv_out.norm.weight) == 0
    backbone.eval()
    x = torch.randn(1, 3, 64, 96)
    with torch.no_grad():
        with_nl = backbone(x)
        res4[len(res4) - 2].non_local_block = None  # the baseline network
        try:
            baseline = backbone(x)
        finally:
            res4[len(res4) - 2].non_local_block = block
    for a, b in zip(with_nl, baseline):
        torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize('name', NL_X152)
def test_nl_detector_computes_finite_losses(name, imagenet_file):
    model = built(name).train()
    packed = demo_mm_inputs(
        batch_size=1,
        image_shapes=[(3, 64, 96)],
        num_items=[2],
        num_classes=80,
        with_mask=True)
    losses = model(
        **model.data_preprocessor(packed, training=True), mode='loss')
    assert {'loss_rpn_cls', 'loss_cls', 'loss_bbox',
            'loss_mask'} <= set(losses)
    total = sum(
        sum(v) if isinstance(v, list) else v for k, v in losses.items()
        if 'loss' in k)
    assert torch.isfinite(total)
    model.zero_grad()
    total.backward()
    res4 = model.backbone.layer3
    grad = res4[len(res4) - 2].non_local_block.conv_out.norm.weight.grad
    assert grad is not None and torch.isfinite(grad).all()
