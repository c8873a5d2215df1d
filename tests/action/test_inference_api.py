"""MMAction2's own inference API (``init_recognizer`` +
``inference_recognizer``, ``MMAction2Inferencer``) gives one probability
vector and one label per video with every project config.

What these APIs read of a config is its recognizer type, head, data
preprocessor and test pipeline; every Kinetics-style and demo config shares
them (up to the clip's window and frame stride) with one of a few
representatives (checked), which run here on a tiny version (same layout, NL
blocks, head and test pipeline; narrow backbone, small clips) with a
checkpoint written here. The vector is checked against the softmax of every
view's logits from the backbone and head called directly, averaged.
(tests/action/test_configs.py runs every config's own model, which gives one
score vector per video too; the Charades configs are multi-label, their
per-class sigmoid scores are tested in test_charades_*.py.)"""
import os.path as osp
from glob import glob

import pytest
import torch
from mmaction.apis import inference_recognizer, init_recognizer
from mmaction.apis.inferencers import MMAction2Inferencer
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate

from nl_plugin.action.datasets.synthetic_videos import video_dir_name
from nl_plugin.engine import load_config
from project_paths import CONFIGS
from tiny_configs import tiny_data_cfg, tiny_model_cfg, write_checkpoint
from tiny_videos import make_tiny_synthetic

EXPERIMENTS = sorted([
    p for p in glob(
        osp.join(CONFIGS, 'recognition', '**', '*.py'), recursive=True)
    if '/charades/' not in p
] + glob(osp.join(CONFIGS, 'demo', '*.py')))
THREE_CROP = 'nl-i3d_r50 + kinetics400_32x2x1_3crop test'
REPRESENTATIVES = [
    osp.join(CONFIGS, 'demo', name)
    for name in ('nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py',
                 'c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')
] + [
    osp.join(CONFIGS, 'recognition', name)
    for name in ('nl_i3d/nl-i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py',
                 'nl_i3d/nl-i3d_r50_8xb2-128x1x1-400k_kinetics400-rgb.py',
                 'mixing/nl-i3d_mmaction-i3d-r50-5block_8xb8-32x2x1-100e_'
                 'kinetics400-rgb.py',
                 'video_nonlocal_net/c2d_nonlocal_8x8_IN_pretrain_400k_'
                 'kinetics400-rgb.py')
] + [THREE_CROP]


def _rel(path):
    return path if path == THREE_CROP else osp.relpath(path, CONFIGS)


def project_config(path: str) -> Config:
    """A project config; ``THREE_CROP``: NL I3D R50 tested with the official
    code's 10 clips x 3 crops."""
    if path != THREE_CROP:
        return load_config(path)
    cfg = load_config(
        osp.join(CONFIGS, 'recognition', 'nl_i3d',
                 'nl-i3d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py'))
    crops = Config.fromfile(
        osp.join(CONFIGS, '_base_', 'datasets', 'kinetics400_32x2x1_3crop.py'))
    cfg.test_dataloader.dataset.pipeline = crops.test_pipeline
    return cfg


# Sampler settings that change the clip's frames, not the code path.
CLIP_GEOMETRY = ('window', 'stride', 'clip_len', 'frame_interval')


def inference_signature(cfg: Config) -> str:
    """What MMAction2's inference API reads of a config, as text (the clip
    geometry left out)."""
    pipeline = [{
        key: None if key in CLIP_GEOMETRY else value
        for key, value in step.items()
    } for step in cfg.test_dataloader.dataset.pipeline]
    return repr((cfg.model.type, cfg.model.cls_head,
                 cfg.model.get('data_preprocessor'), pipeline))


def _unscoped(pipeline):
    return [{
        k: v
        for k, v in step.items() if k != '_scope_'
    } for step in pipeline]


def test_every_config_is_represented():
    covered = {inference_signature(project_config(p)) for p in REPRESENTATIVES}
    missing = []
    for path in EXPERIMENTS:
        cfg = project_config(path)
        # inference_recognizer reads the top-level test_pipeline
        assert _unscoped(cfg.test_pipeline) == _unscoped(
            cfg.test_dataloader.dataset.pipeline), _rel(path)
        if inference_signature(cfg) not in covered:
            missing.append(_rel(path))
    assert not missing, ('add a representative with the head / test '
                         f'pipeline of {missing}')


def tiny_config(path: str, root: str) -> Config:
    return tiny_model_cfg(tiny_data_cfg(project_config(path), root))


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    return make_tiny_synthetic(str(tmp_path_factory.mktemp('tiny_videos')))


@pytest.fixture(scope='module')
def video(tiny_root):
    return sorted(glob(osp.join(tiny_root, video_dir_name('val'), '*')))[0]


def expected_probs(model, cfg: Config, video: str):
    """Softmax of every view's logits (of every position, for the fully
    convolutional head), backbone and head called directly, averaged; and
    the number of views."""
    data = Compose(cfg.test_dataloader.dataset.pipeline)(
        dict(filename=video, label=-1, start_index=0, modality='RGB'))
    with torch.no_grad():
        inputs = model.data_preprocessor(pseudo_collate([data]))['inputs']
        views = inputs[0]  # (V, 3, T, H, W)
        logits = model.cls_head(model.backbone(views))  # (V, K, ...)
    probs = logits.flatten(2) if logits.dim() > 2 else logits.unsqueeze(-1)
    return probs.softmax(dim=1).mean(dim=(0, 2)), len(views)  # (K, )


@pytest.mark.parametrize('path', REPRESENTATIVES, ids=_rel)
def test_mmaction_inference_api_scores_each_video_once(path, tiny_root, video,
                                                       tmp_path):
    cfg = tiny_config(path, tiny_root)
    checkpoint = str(tmp_path / 'tiny.pth')
    write_checkpoint(cfg, checkpoint)
    num_classes = cfg.model.cls_head.num_classes

    model = init_recognizer(cfg, checkpoint, device='cpu')
    result = inference_recognizer(model, video)
    want, num_views = expected_probs(model, cfg, video)
    three_crops = any(step.type == 'ThreeCrop'
                      for step in cfg.test_dataloader.dataset.pipeline)
    # tiny: 2 of the test clips (x 3 crops)
    assert num_views == (2 * 3 if three_crops else 2)
    assert result.pred_score.shape == (num_classes, )
    torch.testing.assert_close(result.pred_score, want, rtol=1e-4, atol=1e-6)
    assert result.pred_label.tolist() == [int(want.argmax())]

    inferencer = MMAction2Inferencer(
        rec=cfg, rec_weights=checkpoint, device='cpu')
    prediction = inferencer(video)['predictions'][0]
    assert len(prediction['rec_labels']) == 1  # one video
    (labels, ), (scores, ) = prediction['rec_labels'], prediction['rec_scores']
    assert len(labels) == 1 and len(scores) == num_classes
    assert sum(scores) == pytest.approx(1.0, abs=1e-5)
    assert labels[0] == max(range(num_classes), key=scores.__getitem__)
    if not three_crops:  # the Inferencer swaps 3 crops for 1 centre crop
        torch.testing.assert_close(
            torch.tensor(scores), want, rtol=1e-4, atol=1e-6)
