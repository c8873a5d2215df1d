"""The authors' released Kinetics models, without the real files: random blob
dicts with the exact names and shapes of each released architecture, pickled
as the official code pickles them, converted for their configs, and scored by
our model and by an independent functional reference of the official graph
(tests/helpers/official_video_nonlocal.py)."""
import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample
from mmengine.registry import MODELS, DefaultScope
from official_video_nonlocal import (arch_of, official_scores, random_blobs,
                                     with_training_state,
                                     write_official_pickle)

from nl_plugin.action.convert import (ARCHITECTURES, IncompleteConversion,
                                      UnsafePickleError, convert_blobs,
                                      convert_file, infer_released_model,
                                      load_blobs)
from nl_plugin.engine import build_model, load_config
from project_paths import CONFIGS
from tool_loader import load_tool

RELEASED = osp.join(CONFIGS, 'recognition', 'video_nonlocal_net')
R101 = 'c2d_nonlocal_32x2_IN_pretrain_400k@101'  # Table 2e NL C2D R101
CASES = list(ARCHITECTURES) + [R101]


def _config(stem: str) -> str:
    return osp.join(RELEASED, f'{stem}_kinetics400-rgb.py')


def _model(stem: str, depth: int = 50, **backbone):
    """The config's recognizer, its parameters on the meta device:
    ``load_state_dict(..., assign=True)`` then gives it the converted tensors
    without the cost of a random initialisation. The data preprocessor's
    mean and std are no state-dict entries: it is built on the CPU."""
    cfg = load_config(_config(stem))
    cfg.model.backbone.update(depth=depth, **backbone)
    with torch.device('meta'):
        model = build_model(cfg).eval()
    with DefaultScope.overwrite_default_scope('mmaction'):
        model.data_preprocessor = MODELS.build(cfg.model.data_preprocessor)
    return model


def _clip(arch, seed=0, size=64):
    """Frames for which every block sees at least 2 frames and res3 of the
    frozen-BN models two runs of 4 frames; 64x64 pools res5 (2x2) whole."""
    frames = {
        ('resnet_video', False): 4,
        ('resnet_video', True): 16,
        ('resnet_video_org', False): 16,
        ('resnet_video_org', True): 64
    }[arch.builder, arch.affine]
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(
        0, 256, (1, 3, frames, size, size),
        generator=generator).to(torch.uint8)


def _our_scores(model, frames: torch.Tensor) -> torch.Tensor:
    """The video's class probabilities (the views' probabilities averaged),
    through the recognizer's data preprocessor and head (``(V, C, T, H, W)``
    uint8 views of one video): ``(K, )``."""
    data = model.data_preprocessor(
        dict(inputs=[frames], data_samples=[ActionDataSample()]),
        training=False)
    with torch.no_grad():
        return model(**data, mode='predict')[0].pred_score


def _official_video_scores(*args, **kwargs) -> torch.Tensor:
    """The official graph's per-view probabilities averaged over the views:
    ``(K, )``."""
    return official_scores(*args, **kwargs).mean(dim=0)


def _assert_match(ours, ref):
    assert ours.shape == ref.shape
    err = (ours - ref).abs().max().item()
    assert err <= 1e-4 * ref.abs().max().item(), err


def _convert_cli(*args) -> int:
    """tools/convert/video_nonlocal_net.py in this process."""
    return load_tool('convert/video_nonlocal_net.py').main(list(args))


def _parse(case: str):
    stem, _, depth = case.partition('@')
    return stem, int(depth or 50)


@pytest.fixture(scope='module')
def blobs_of():
    cache = {}

    def get(case):
        if case not in cache:
            stem, depth = _parse(case)
            cache[case] = random_blobs(
                arch_of(stem, depth), seed=CASES.index(case))
        return cache[case]

    return get


@pytest.mark.parametrize('case', CASES)
def test_release_converts_and_matches_the_official_graph(
        case, blobs_of, tmp_path):
    stem, depth = _parse(case)
    arch = arch_of(stem, depth)
    blobs = blobs_of(case)
    path = str(tmp_path / f'{stem}.pkl')
    # the checkpoints' {'blobs': ...} layout, or the flat dict of the
    # conversion scripts: every other case
    write_official_pickle(
        path, with_training_state(blobs), wrapped=CASES.index(case) % 2 == 0)
    model = _model(stem, depth)
    state, report = convert_blobs(load_blobs(path), model)
    assert report.complete, report.format()
    assert sorted(report.mapped) == sorted(blobs)  # every parameter blob
    assert sum(n.endswith('_momentum')
               for n in report.dropped) == sum(not n.endswith(('_rm', '_riv'))
                                               for n in blobs)
    assert {'lr', 'model_iter'} <= set(report.dropped)
    model.load_state_dict(state, strict=True, assign=True)
    frames = _clip(arch)
    _assert_match(
        _our_scores(model, frames),
        _official_video_scores(blobs, frames, arch, spatial_pool=2))


def test_test_crops_of_256_give_the_2x2_map_of_the_official_head(blobs_of):
    """At 256x256, res5 is 8x8 and pool5 (7x7, stride 1) leaves 2x2
    positions: the official score is the mean of their softmaxes, not the
    softmax of their mean logit."""
    stem = 'c2d_nonlocal_8x8_IN_pretrain_400k'
    arch, blobs = arch_of(stem), blobs_of(stem)
    model = _model(stem)
    model.load_state_dict(convert_blobs(blobs, model)[0], assign=True)
    frames = _clip(arch, size=256)[:, :, :2]  # 2 frames keep it quick
    feats = model.extract_feat(
        model.data_preprocessor(
            dict(inputs=[frames],
                 data_samples=[ActionDataSample()]))['inputs'])[0]
    pooled = model.cls_head(feats)
    assert pooled.shape == (1, 400, 1, 2, 2)
    ref = _official_video_scores(blobs, frames, arch)
    ours = _our_scores(model, frames)
    _assert_match(ours, ref)
    mean_logit = pooled.flatten(2).mean(-1).softmax(-1)  # I3DHead-style
    assert (mean_logit - ref).abs().max() > 10 * 1e-4 * ref.max()


@pytest.mark.parametrize('stem,change', [
    ('c2d_nonlocal_8x8_IN_pretrain_400k', dict(pool1_padding_s=1)),
    ('c2d_nonlocal_8x8_IN_pretrain_400k',
     dict(non_local_cfg=dict(pool_position='after_embedding'))),
    ('c2d_nonlocal_8x8_IN_pretrain_400k',
     dict(non_local_cfg=dict(use_scale=False))),
    ('i3d_nonlocal_32x4_I3D_pretrain_400k',
     dict(
         non_local_stage_cfg=dict(
             res3=dict(neighbourhood='spacetime', group_size=None)))),
])
def test_the_reference_tells_each_official_detail_apart(
        stem, change, blobs_of):
    """The same blobs in a model that differs in one detail (pool1 padding,
    where phi/g are pooled, the 1/sqrt(d) scale, grouping res3 in time) give
    other scores: the comparison above pins each of them."""
    arch, blobs = arch_of(stem), blobs_of(stem)
    model = _model(stem, **change)
    state, report = convert_blobs(blobs, model)
    assert report.complete  # same parameters, different computation
    model.load_state_dict(state, assign=True)
    frames = _clip(arch)
    ref = _official_video_scores(blobs, frames, arch, spatial_pool=2)
    assert (_our_scores(model, frames) - ref).abs().max() > 100 * 1e-4 * (
        ref.abs().max())


# ------------------------------------------------------- file handling
class _RunsCode:

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command, )


class _Evals:

    def __reduce__(self):
        return eval, ('1 + 1', )


@pytest.mark.parametrize('payload,culprit', [('system', 'system'),
                                             ('eval', 'eval')])
def test_a_pickle_that_runs_code_is_refused(tmp_path, capsys, payload,
                                            culprit):
    marker = tmp_path / 'ran'
    evil = _RunsCode(f'touch {marker}') if payload == 'system' else _Evals()
    path = str(tmp_path / 'c2d_baseline_8x8_IN_pretrain_400k.pkl')
    with open(path, 'wb') as f:
        pickle.dump(
            dict(blobs=dict(conv1_w=np.zeros(3, np.float32), trap=evil)),
            f,
            protocol=2)
    with pytest.raises(UnsafePickleError, match=culprit) as error:
        load_blobs(path)
    assert 'nothing was executed' in str(error.value)
    assert _convert_cli(path, str(tmp_path / 'out.pth')) == 1
    assert 'refusing to load' in capsys.readouterr().err
    assert not marker.exists() and not (tmp_path / 'out.pth').exists()


def test_python3_protocol_2_pickles_load_too(tmp_path):
    """Re-saved under Python 3, bytes go through _codecs.encode (latin-1)."""
    blobs = dict(conv1_w=np.arange(6, dtype=np.float32).reshape(2, 3), lr=0.01)
    path = str(tmp_path / 'flat.pkl')
    with open(path, 'wb') as f:
        pickle.dump(blobs, f, protocol=2)
    loaded = load_blobs(path)
    assert np.array_equal(loaded['conv1_w'], blobs['conv1_w'])


def test_another_architecture_fails_with_a_report(blobs_of, tmp_path, capsys):
    src = str(tmp_path / 'c2d_baseline_8x8_IN_pretrain_400k.pkl')
    write_official_pickle(
        src, blobs_of('c2d_baseline_8x8_IN_pretrain_400k'), wrapped=True)
    dst = str(tmp_path / 'out.pth')
    with pytest.raises(IncompleteConversion) as error:
        convert_file(src, dst, _config('i3d_nonlocal_8x8_IN_pretrain_400k'))
    report = error.value.report
    assert not osp.exists(dst)  # nothing loads partially
    assert any(
        m.startswith('backbone.conv1.conv.weight: conv1*')
        and '(64, 3, 1, 7, 7)' in m and '(64, 3, 5, 7, 7)' in m
        for m in report.mismatched)
    assert any('non_local_block' in k for k in report.unset)
    assert report.unused == []  # every C2D blob has an I3D twin
    # the CLI says so and writes nothing; --allow-partial writes what did
    # convert, marked incomplete
    args = (src, dst, '--model', 'i3d_nonlocal_8x8_IN_pretrain_400k')
    assert _convert_cli(*args) == 1 and not osp.exists(dst)
    assert 'parameters left unset' in capsys.readouterr().err
    assert _convert_cli(*args, '--allow-partial') == 0
    checkpoint = torch.load(dst, weights_only=True)
    assert checkpoint['meta']['complete'] is False
    assert 'backbone.conv1.conv.weight' not in checkpoint['state_dict']
    assert 'backbone.layer1.0.conv2.conv.weight' in checkpoint['state_dict']


@pytest.mark.parametrize('name,architecture', [
    ('i3d_nonlocal_32x2_IN_pretrain_400k.pkl',
     'i3d_nonlocal_32x2_IN_pretrain_400k'),
    ('/data/i3d_baseline_8x8_IN_pretrain_600k_4gpu.pkl',
     'i3d_baseline_8x8_IN_pretrain_400k'),
    ('my_c2d_nonlocal_8x8_copy.pkl', 'c2d_nonlocal_8x8_IN_pretrain_400k'),
    ('model.pkl', None),
    ('c2d_baseline_8x8_vs_i3d_baseline_8x8.pkl', None),
])
def test_model_name_from_the_file_name(name, architecture):
    found = infer_released_model(name)
    assert (found and found.architecture) == architecture


def test_unknown_file_name_asks_for_the_model(tmp_path, capsys):
    path = str(tmp_path / 'model.pkl')
    write_official_pickle(path, dict(conv1_w=np.zeros(1)), wrapped=True)
    assert _convert_cli(path, path + '.pth') == 1
    assert '--model NAME' in capsys.readouterr().err
