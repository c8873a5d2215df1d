"""Every recognition and demo config loads, passes the checks, builds its model
and one batch of each split (real pipelines, tiny shapes), and runs a forward;
the configs match the paper's architecture, placement and schedule."""
import importlib.util
import os
import os.path as osp
from glob import glob

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from nl_plugin.action import VideoLevelI3DHead
from nl_plugin.engine import config_errors, load_config
from config_helpers import batch, evaluate_val_and_test, lr_at
from project_paths import ROOT
from tiny_configs import tiny_data_cfg
from tiny_videos import make_tiny_synthetic

CONFIGS = osp.join(ROOT, 'configs')


def _rel(path):
    return osp.relpath(path, CONFIGS)


# Kinetics-style configs and the demo (Charades: test_charades_configs.py).
RECOGNITION = sorted(
    p for p in glob(
        osp.join(CONFIGS, 'recognition', '**', '*.py'), recursive=True)
    if '/charades/' not in p)
# A fine-tuning variant is its released config plus load_from (checked
# below), so it is not built again.
FINETUNE = [p for p in RECOGNITION if '_finetune_' in p]
EXPERIMENTS = sorted([p for p in RECOGNITION if p not in FINETUNE] +
                     glob(osp.join(CONFIGS, 'demo', '*.py')))
MODEL_BASES = sorted(glob(osp.join(CONFIGS, '_base_', 'models', '*.py')))
KINETICS = [
    p for p in EXPERIMENTS
    if 'kinetics400' in osp.basename(p) and '/mixing/' not in p
]


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    return make_tiny_synthetic(str(tmp_path_factory.mktemp('tiny_videos')))


@pytest.fixture(scope='module')
def kinetics_root(tiny_root, tmp_path_factory):
    from tiny_videos import make_kinetics_layout
    return make_kinetics_layout(tiny_root,
                                str(tmp_path_factory.mktemp('k400')))


@pytest.mark.parametrize('path', EXPERIMENTS, ids=_rel)
def test_experiment_builds_and_runs(path, tiny_root):
    cfg = tiny_data_cfg(load_config(path), tiny_root)
    assert config_errors(cfg, 'train') == [] or all(
        e.startswith('load_from') for e in config_errors(cfg, 'train'))
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(
            cfg.model)  # (init_weights is the Runner's job; slow logs)
    if _rel(path)[len('recognition/'):] in EXPECTED_NL:
        _check_non_local(model.backbone,
                         *EXPECTED_NL[_rel(path)[len('recognition/'):]])
    model.train()
    data = model.data_preprocessor(
        batch(cfg, 'train_dataloader', 2), training=True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss_cls'])

    metrics, samples = evaluate_val_and_test(model, cfg, 1)
    _check_one_prediction_per_video(samples, model.cls_head)
    assert metrics and all(0.0 <= v <= 1.0 for v in metrics.values())


def _check_one_prediction_per_video(samples, head):
    """One probability vector and one label per video, whatever the number of
    views (what MMAction2's inference API and demos need)."""
    for sample in samples:
        assert sample.pred_score.shape == (head.num_classes, )
        assert float(sample.pred_score.sum()) == pytest.approx(1.0, abs=1e-5)
        assert sample.pred_label.tolist() == [int(sample.pred_score.argmax())]


@pytest.mark.parametrize('path', MODEL_BASES, ids=_rel)
def test_model_base_builds(path):
    cfg = Config.fromfile(path)
    cfg.model.backbone.pretrained = None
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    assert model.cls_head.dropout_ratio == 0.5
    # one softmax-averaged score per video; the views kept for
    # ClipVideoAccuracy
    assert isinstance(model.cls_head, VideoLevelI3DHead)
    assert model.cls_head.average_clips == 'prob'


def _backbone(name: str):
    cfg = Config.fromfile(osp.join(CONFIGS, '_base_', 'models', name))
    cfg.model.backbone.pretrained = None
    with DefaultScope.overwrite_default_scope('mmaction'):
        return MODELS.build(cfg.model.backbone)


def _conv_kernels(backbone):
    return {
        n: tuple(m.kernel_size)
        for n, m in backbone.named_modules()
        if isinstance(m, torch.nn.Conv3d) and 'non_local' not in n
    }


def test_c2d_r50_is_table_1():
    c2d = _backbone('c2d_r50.py').eval()
    kernels = _conv_kernels(c2d)
    assert kernels['conv1.conv'] == (1, 7, 7)
    assert all(k[0] == 1 for k in kernels.values())  # every kernel 1 x k x k
    assert c2d.maxpool.kernel_size == (3, 3,
                                       3) and c2d.maxpool.stride == (2, 2, 2)
    assert c2d.pool2.kernel_size == (3, 1, 1) and c2d.pool2.stride == (2, 1, 1)
    assert [len(getattr(c2d, f'layer{i}'))
            for i in range(1, 5)] == [3, 4, 6, 3]
    with torch.no_grad():  # 32 frames -> 16 (conv1) -> 8 (pool1) -> 4 (pool2)
        assert c2d(torch.randn(1, 3, 32, 64, 64)).shape == (1, 2048, 4, 2, 2)


@pytest.mark.parametrize('name,per_stage', [
    ('i3d_r50.py', [3, 2, 3, 1]),
    ('i3d_r101.py', [3, 2, 12, 1]),
    ('i3d-3x3x3_r101.py', [3, 2, 12, 1]),
])
def test_i3d_inflates_every_other_block(name, per_stage):
    backbone = _backbone(name)
    kernels = _conv_kernels(backbone)
    assert kernels['conv1.conv'] == (5, 7, 7)
    which = 'conv2' if '3x3x3' in name else 'conv1'
    inflated = (3, 3, 3) if '3x3x3' in name else (3, 1, 1)
    counts = [
        sum(kernels[f'layer{s}.{b}.{which}.conv'] == inflated
            for b in range(len(getattr(backbone, f'layer{s}'))))
        for s in range(1, 5)
    ]
    assert counts == per_stage
    assert sum(k[0] == 3 for n, k in kernels.items()
               if n != 'conv1.conv') == sum(per_stage)
    first_res4 = kernels[f'layer3.0.{which}.conv']
    assert first_res4 == inflated  # R101 res4 alternates starting at block 0


def _load(name: str) -> Config:
    return Config.fromfile(osp.join(CONFIGS, 'recognition', name))


_K = '_8xb8-32x2x1-400k_kinetics400-rgb.py'
_K128 = '_8xb2-128x1x1-400k_kinetics400-rgb.py'
_R50_5 = (('res3', 1), ('res3', 3), ('res4', 1), ('res4', 3), ('res4', 5))
_R101_5 = (('res3', 1), ('res3', 3), ('res4', 6), ('res4', 13), ('res4', 20))
# config -> (NL positions (stage, block index), mode, neighbourhood), from
# paper Sec. 5.1 and the official code (NOTES.md). "After block i" = "right
# before block i+1".
EXPECTED_NL = {
    'c2d/c2d_r50' + _K: ((), None, None),
    'nl_c2d/nl-c2d_r50-1block' + _K:
    ((('res4', 4), ), 'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-gaussian' + _K:
    ((('res4', 4), ), 'gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-dot-product' + _K:
    ((('res4', 4), ), 'dot_product', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-concatenation' + _K:
    ((('res4', 4), ), 'concatenation', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-res2' + _K: ((('res2', 1), ),
                                           'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-res3' + _K: ((('res3', 2), ),
                                           'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r50-1block-res5' + _K: ((('res5', 1), ),
                                           'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r101-1block' + _K: ((('res4', 21), ), 'embedded_gaussian',
                                       'spacetime'),
    'nl_c2d/nl-c2d_r50-5block' + _K: ((('res3', 1), ('res3', 3), ('res4', 1),
                                       ('res4', 3), ('res4', 5)),
                                      'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r101-5block' + _K: ((('res3', 1), ('res3', 3), ('res4', 6),
                                        ('res4', 13), ('res4', 20)),
                                       'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r50-5block-space' + _K:
    ((('res3', 1), ('res3', 3), ('res4', 1), ('res4', 3), ('res4', 5)),
     'embedded_gaussian', 'space'),
    'nl_c2d/nl-c2d_r50-5block-time' + _K:
    ((('res3', 1), ('res3', 3), ('res4', 1), ('res4', 3), ('res4', 5)),
     'embedded_gaussian', 'time'),
    'nl_c2d/nl-c2d_r50-10block' + _K: (tuple(
        ('res3', i) for i in range(4)) + tuple(
            ('res4', i) for i in range(6)), 'embedded_gaussian', 'spacetime'),
    'nl_i3d/nl-i3d_r50' + _K: (_R50_5, 'embedded_gaussian', 'spacetime'),
    'nl_i3d/nl-i3d_r101' + _K: (_R101_5, 'embedded_gaussian', 'spacetime'),
    'nl_i3d/nl-i3d_r50' + _K128: (_R50_5, 'embedded_gaussian', 'spacetime'),
    'nl_i3d/nl-i3d_r101' + _K128: (_R101_5, 'embedded_gaussian', 'spacetime'),
    'nl_c2d/nl-c2d_r101-5block-space' + _K: (_R101_5, 'embedded_gaussian',
                                             'space'),
    'nl_c2d/nl-c2d_r101-5block-time' + _K: (_R101_5, 'embedded_gaussian',
                                            'time'),
    'i3d/i3d_r101' + _K: ((), None, None),
    'i3d/i3d_r50' + _K128: ((), None, None),
}


def test_every_expected_placement_is_a_config():
    assert {osp.join(CONFIGS, 'recognition', name)
            for name in EXPECTED_NL} <= set(EXPERIMENTS)


def _check_non_local(backbone, positions, mode, neighbourhood):
    """Placement, pairwise function and neighbourhood of the NL blocks (checked
    in
    test_experiment_builds_and_runs, which builds every model anyway)."""
    assert backbone.non_local_positions == positions
    for _, block in backbone.non_local_blocks():
        assert (block.mode, block.neighbourhood) == (mode, neighbourhood)
        if neighbourhood == 'time':  # pooling space leaves no aligned keys
            assert not block.sub_sample
        else:  # x pooled before phi/g as the authors' code: the paper's FLOPs
            assert block.pool_position == 'before_embedding'
            assert block.sub_sample and block.pool_kernel == (1, 2, 2)
        # half the channels
        assert block.inter_channels * 2 == block.in_channels


def test_r101_10block_has_4_blocks_in_res3_and_6_in_res4():
    cfg = _load('nl_c2d/nl-c2d_r101-10block' + _K)
    flags = cfg.model.backbone.non_local
    cfg.model.backbone.pretrained = None
    with DefaultScope.overwrite_default_scope('mmaction'):
        backbone = MODELS.build(cfg.model.backbone)
    stages = [s for s, _ in backbone.non_local_positions]
    assert flags == '10-block' and stages.count('res3') == 4 and stages.count(
        'res4') == 6


@pytest.mark.parametrize('name,base_lr,batch,base_batch,frames', [
    ('c2d/c2d_r50' + _K, 0.01, 8, 64, 32),
    ('nl_i3d/nl-i3d_r101_8xb2-128x1x1-400k_kinetics400-rgb.py', 0.0025, 2, 16,
     128),
])
def test_schedule(name, base_lr, batch, base_batch, frames):
    cfg = _load(name)
    assert cfg.train_cfg.type == 'IterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == 400000
    assert cfg.param_scheduler[0].milestones == [150000, 300000]
    assert cfg.param_scheduler[0].by_epoch is False
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.momentum, opt.weight_decay) == ('SGD', 0.9, 1e-4)
    assert cfg.train_dataloader.batch_size == batch
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=base_batch)
    assert base_batch == 8 * batch  # the paper's 8 GPUs
    lrs = lr_at(cfg, [0, 149999, 150000, 299999, 300000, 399999])
    assert lrs[0] == pytest.approx(base_lr) and lrs[149999] == pytest.approx(
        base_lr)
    assert lrs[150000] == pytest.approx(base_lr * 0.1)
    assert lrs[299999] == pytest.approx(base_lr * 0.1)
    assert lrs[300000] == pytest.approx(base_lr * 0.01)
    assert lrs[399999] == pytest.approx(base_lr * 0.01)
    sampler = next(t for t in cfg.train_pipeline
                   if t.type == 'RandomWindowSample')
    assert sampler.window // sampler.stride == frames


@pytest.mark.parametrize(
    'path', [p for p in KINETICS if '128x1x1' in p], ids=_rel)
def test_128_frame_configs_start_from_their_32_frame_model(path):
    cfg = Config.fromfile(path)
    assert cfg.model.backbone.norm_eval is True  # BN frozen
    assert cfg.model.backbone.pretrained is None
    assert cfg.optim_wrapper.optimizer.lr == 0.0025
    source = cfg.load_from.split(
        '/')[1] + '.py'  # work_dirs/<32-frame config>/...
    assert source == osp.basename(path).replace('8xb2-128x1x1', '8xb8-32x2x1')
    source_cfg = Config.fromfile(osp.join(osp.dirname(path), source))
    for key in ('depth', 'inflate', 'non_local', 'non_local_cfg',
                'conv1_kernel'):
        assert source_cfg.model.backbone.get(key) == cfg.model.backbone.get(
            key), key


@pytest.mark.parametrize(
    'path', [p for p in KINETICS if '32x2x1' in p], ids=_rel)
def test_32_frame_configs_train_bn_from_imagenet(path):
    cfg = Config.fromfile(path)
    backbone = cfg.model.backbone
    assert backbone.norm_eval is False and backbone.pretrained2d is True
    expected = f'checkpoints/imagenet/resnet{backbone.depth}.pth'
    assert backbone.pretrained == expected
    assert cfg.get('load_from') is None


def test_missing_imagenet_checkpoint_is_reported_with_its_key(kinetics_root):
    os.environ['KINETICS400_ROOT'] = kinetics_root
    try:
        cfg = load_config(
            osp.join(CONFIGS, 'recognition', 'c2d', 'c2d_r50' + _K))
    finally:
        del os.environ['KINETICS400_ROOT']
    assert config_errors(cfg, 'train') == [
        'model.backbone.pretrained: checkpoint file '
        "'checkpoints/imagenet/resnet50.pth' does not exist"
    ]


@pytest.mark.parametrize('name', ['c2d_r50.py', 'i3d_r50.py'])
def test_imagenet_init_inflates_a_local_2d_checkpoint(name, tmp_path):
    from mmdet.models.backbones import \
        ResNet  # torchvision's layout, no download
    state = ResNet(depth=50).state_dict()
    path = str(tmp_path / 'resnet50.pth')
    torch.save(state, path)
    cfg = Config.fromfile(osp.join(CONFIGS, '_base_', 'models', name))
    cfg.model.backbone.pretrained = path
    with DefaultScope.overwrite_default_scope('mmaction'):
        backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    report = backbone.inflation_report
    assert report.mismatched == [] and report.unused == []
    t = backbone.conv1.conv.weight.shape[2]
    expected = state['conv1.weight'].unsqueeze(2).expand(-1, -1, t, -1, -1) / t
    assert torch.allclose(backbone.conv1.conv.weight, expected)


MIXING = osp.join(
    CONFIGS, 'recognition', 'mixing',
    'nl-i3d_mmaction-i3d-r50-5block_8xb8-32x2x1-100e_kinetics400-rgb.py')
STOCK = osp.join(
    osp.dirname(importlib.util.find_spec('mmaction').origin), '.mim',
    'configs', 'recognition', 'i3d',
    'i3d_imagenet-pretrained-r50_8xb8-32x2x1-100e_kinetics400-rgb.py')


def _without_scope(node):
    """Drops the ``_scope_`` keys MMEngine adds to dicts inherited via
    ``mmaction::``."""
    if isinstance(node, dict):
        return {
            k: _without_scope(v)
            for k, v in node.items() if k != '_scope_'
        }
    if isinstance(node, (list, tuple)):
        return type(node)(_without_scope(v) for v in node)
    return node


def test_mixing_example_swaps_only_the_backbone():
    ours = _without_scope(Config.fromfile(MIXING).to_dict())
    stock = _without_scope(Config.fromfile(STOCK).to_dict())
    our_backbone = ours['model'].pop('backbone')
    stock_backbone = stock['model'].pop('backbone')
    assert ours.pop('custom_imports') == dict(
        imports=['nl_plugin.action'], allow_failed_imports=False)
    # data, schedule, head, runtime: MMAction2's, untouched
    assert ours == stock
    changed = {
        k
        for k in our_backbone if our_backbone[k] != stock_backbone.get(k)
    }
    assert changed == {'type', 'pretrained', 'non_local', 'non_local_cfg'}
    code = [
        line for line in open(MIXING)
        if line.strip() and not line.startswith('#')
    ]
    assert len(code) <= 12  # "in a few lines"


def test_mixing_example_is_stock_i3d_plus_five_nl_blocks():
    ours, stock = Config.fromfile(MIXING), Config.fromfile(STOCK)
    for cfg in (ours, stock):
        cfg.model.backbone.pretrained = None
    with DefaultScope.overwrite_default_scope('mmaction'):
        nl_i3d = MODELS.build(ours.model.backbone)
        i3d = MODELS.build(stock.model.backbone)
    assert type(i3d).__name__ == 'ResNet3d' and type(
        nl_i3d).__name__ == 'NLResNet3d'
    assert _conv_kernels(nl_i3d) == _conv_kernels(i3d)  # same I3D inflation
    assert nl_i3d.non_local_positions == (('res3', 1), ('res3', 3),
                                          ('res4', 1), ('res4', 3), ('res4',
                                                                     5))
    own = {k for k in nl_i3d.state_dict() if 'non_local' not in k}
    assert own == set(i3d.state_dict())  # stock I3D weights load into it


# ----------------------------------------------- the authors' released models
RELEASED = sorted(p for p in RECOGNITION
                  if '/video_nonlocal_net/' in p and '_finetune_' not in p)


def test_one_released_config_and_fine_tuning_variant_per_model():
    from nl_plugin.action.convert import ARCHITECTURES
    names = {
        osp.basename(p)
        for p in RECOGNITION if '/video_nonlocal_net/' in p
    }
    suffixes = ('_kinetics400-rgb.py', '_finetune_kinetics400-rgb.py')
    assert names == {a + end for a in ARCHITECTURES for end in suffixes}


@pytest.mark.parametrize('path', FINETUNE, ids=_rel)
def test_fine_tuning_variant_is_its_release_from_converted_weights(path):
    tuned = Config.fromfile(path).to_dict()
    release = Config.fromfile(path.replace('_finetune_', '_')).to_dict()
    stem = osp.basename(path).split('_finetune_')[0]
    # the file tools/convert/video_nonlocal_net.py writes in the README
    assert tuned.pop(
        'load_from') == f'checkpoints/video_nonlocal_net/{stem}.pth'
    assert release.pop('load_from') is None  # MMAction2's runtime default
    assert tuned == release


@pytest.mark.parametrize('path', RELEASED, ids=_rel)
def test_released_configs_test_as_the_authors(path):
    cfg = Config.fromfile(path)
    frames, rate = map(int, osp.basename(path).split('_')[2].split('x'))
    sampler, decode, resize, crop = cfg.test_pipeline[1:5]
    assert (sampler.type, sampler.window,
            sampler.stride) == ('EvenWindowSample', frames * rate, rate)
    assert (sampler.num_clips, sampler.spacing,
            sampler.out_of_bound_opt) == (10, 'wrap', 'loop')
    assert tuple(resize.scale) == (-1, 256)
    assert (crop.type, crop.crop_size) == ('ThreeCrop', 256)
    train = cfg.train_pipeline[1]
    assert (train.window, train.stride) == (frames * rate, rate)
    model = cfg.model
    assert model.data_preprocessor.mean == [114.75] * 3
    assert model.data_preprocessor.std == [57.375] * 3
    assert model.cls_head.type == 'FullyConvHead'
    # one video-level score (views averaged), the 30 views in view_scores
    assert model.cls_head.average_clips == 'prob'
    assert model.backbone.pretrained is None
