"""configs/recognition/charades: Table 4's rows build and run one batch of
each split on the synthetic Charades-format set (real pipelines, tiny
shapes), and follow the paper's recipe."""
import copy
import os.path as osp
from glob import glob

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from nl_plugin.action.datasets.synthetic_charades import \
    make_synthetic_charades
from nl_plugin.engine import config_errors, load_config
from config_helpers import batch, evaluate_val_and_test, lr_at, tiny_transform
from project_paths import CONFIGS

CHARADES = osp.join(CONFIGS, 'recognition', 'charades')
TABLE_4 = {
    'i3d': 'i3d_r101_8xb1-128x1x1-200k_charades-rgb.py',
    'nl-i3d': 'nl-i3d_r101_8xb1-128x1x1-200k_charades-rgb.py'
}
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
_R101_5 = (('res3', 1), ('res3', 3), ('res4', 6), ('res4', 13), ('res4', 20))


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('charades'))
    make_synthetic_charades(root, 4, 2, num_classes=4)
    return root


def _load(name: str, root=None) -> Config:
    with pytest.MonkeyPatch.context() as patch:
        if root:
            patch.setenv('CHARADES_ROOT', root)
        return load_config(osp.join(CHARADES, name))


def _tiny(cfg: Config) -> Config:
    cfg = copy.deepcopy(cfg)
    for key in LOADERS:
        dataset = cfg[key].dataset
        dataset.pipeline = [tiny_transform(t) for t in dataset.pipeline]
    cfg.model.cls_head.num_classes = 4  # the synthetic set's classes
    return cfg


def test_every_config_is_known():
    names = {osp.basename(p) for p in glob(osp.join(CHARADES, '*.py'))}
    assert names == set(TABLE_4.values()) | {
        n.replace('-rgb.py', '-rgb_3crop.py')
        for n in TABLE_4.values()
    } | {'nl-i3d_r50-tiny_1xb4-16x2x1-40iter_synthetic-charades-rgb.py'}


@pytest.mark.parametrize('row', list(TABLE_4))
def test_table_4_config_builds_and_runs(row, root):
    cfg = _tiny(_load(TABLE_4[row], root))
    errors = config_errors(cfg, 'train')
    assert [e.split(':')[0] for e in errors] == ['load_from']  # not trained
    with DefaultScope.overwrite_default_scope(cfg.default_scope):
        model = MODELS.build(cfg.model)
    backbone = model.backbone
    assert backbone.depth == 101 and backbone.norm_eval is True
    assert backbone.non_local_positions == (_R101_5 if row == 'nl-i3d' else ())
    assert type(model.cls_head).__name__ == 'MultiLabelI3DHead'
    assert model.cls_head.view_pooling == 'max'
    assert type(model.cls_head.loss_cls).__name__ == 'BCELossWithLogits'
    model.train()
    data = model.data_preprocessor(
        batch(cfg, 'train_dataloader', 1), training=True)
    assert data['inputs'].shape == (1, 1, 3, 8, 64, 64)  # 288 -> 64
    assert torch.isfinite(model(**data, mode='loss')['loss_cls'])
    metrics, samples = evaluate_val_and_test(model, cfg, 2)
    assert all(s.pred_score.shape == (4, ) for s in samples)
    assert 0 <= metrics['charades/mAP'] <= 1


@pytest.mark.parametrize('row', list(TABLE_4))
def test_recipe_of_the_paper(row):
    cfg = _load(TABLE_4[row])
    assert cfg.model.cls_head.num_classes == 157
    assert cfg.train_dataloader.batch_size == 1  # 1 clip per GPU
    assert cfg.auto_scale_lr == dict(enable=True, base_batch_size=8)
    assert cfg.train_cfg.max_iters == 200000
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.momentum, opt.weight_decay) == ('SGD', 0.9, 1e-4)
    lrs = lr_at(cfg, [0, 74999, 75000, 149999, 150000, 199999])
    expected = [0.00125] * 2 + [0.000125] * 2 + [0.0000125] * 2
    assert list(lrs.values()) == pytest.approx(expected)
    train = [t.type for t in cfg.train_pipeline]
    assert train[:3] == [
        'RandomWindowSample', 'WindowActionLabels', 'RawFrameDecode'
    ]
    sampler, rescale, crop, resize = (
        cfg.train_pipeline[i] for i in (0, 3, 4, 5))
    assert (sampler.window, sampler.stride) == (128, 1)
    assert rescale.scale_range == (256, 320) and crop.size == 224
    assert resize.scale == (288, 288) and resize.keep_ratio is False
    test = cfg.test_dataloader.dataset.pipeline
    assert test[0].num_clips == 10 and test[2].scale == (-1, 320)
    assert cfg.test_evaluator == dict(type='CharadesMeanAP', per_class=True)


@pytest.mark.parametrize('row', list(TABLE_4))
def test_fine_tuning_starts_from_the_kinetics_128_frame_model(row):
    cfg = _load(TABLE_4[row])
    source = cfg.load_from.split('/')[1]  # work_dirs/<config>/iter_400000
    kinetics = Config.fromfile(
        osp.join(CONFIGS, 'recognition', row.replace('-', '_'),
                 f'{source}.py'))
    assert '128x1x1' in source
    for key in ('depth', 'inflate', 'non_local', 'non_local_cfg',
                'conv1_kernel', 'norm_eval'):
        assert kinetics.model.backbone.get(key) == cfg.model.backbone.get(
            key), key


@pytest.mark.parametrize('row', list(TABLE_4))
def test_3crop_variant_tests_30_views(row, root):
    name = TABLE_4[row].replace('-rgb.py', '-rgb_3crop.py')
    cfg = _load(name, root)
    assert cfg.train_dataloader == _load(TABLE_4[row], root).train_dataloader
    test = cfg.test_dataloader.dataset.pipeline
    assert test[0].num_clips == 10
    assert test[3] == dict(type='ThreeCrop', crop_size=320)
    sample = batch(_tiny(cfg), 'test_dataloader', 1)
    # tiny: 2 of the clips, each x 3 crops
    assert sample['inputs'][0].shape == (2 * 3, 3, 8, 64, 64)
