"""Attention visualisation: known attention, grid <-> pixel mapping, files,
CLI."""
import itertools
import json
import math

import cv2
import matplotlib
import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope
from PIL import Image

from nl_plugin.blocks import NonLocalBlock2d, NonLocalBlock3d
from nl_plugin.visualization import (GridMapping, capture_input, explain_block,
                                     grid_mapping, infer_stride, load_model,
                                     most_concentrated, prepare_input,
                                     select_block, write_report)
from nl_plugin.visualization.rendering import (CAPTION, GAP, KEY_COLOUR,
                                               ColourScale, QueryView,
                                               colour_scale, grid_image,
                                               heat_overlay)
from reference_non_local import pairwise_weights
from tool_loader import load_tool


def _cli():
    return load_tool('visualize_attention.py')


# ----------------------------------------------------------- known attention
def _in_neighbourhood(neighbourhood, query, key):
    if neighbourhood == 'space':
        return key[0] == query[0]
    if neighbourhood == 'time':
        return key[1:] == query[1:]
    return True


# dims, neighbourhood, A, B (cells (t, y, x) of a (4, 3, 3) grid)
TWO_POSITIONS = [
    (3, 'spacetime', (0, 1, 2), (3, 2, 0)),
    (3, 'space', (2, 0, 1), (2, 2, 2)),
    (3, 'time', (0, 1, 1), (3, 1, 1)),
    (2, 'spacetime', (0, 0, 0), (0, 2, 1)),
]


@pytest.mark.parametrize('dims,neighbourhood,a,b', TWO_POSITIONS)
def test_identical_embeddings_at_two_positions(dims, neighbourhood, a, b):
    """Gaussian f = exp(x_i . x_j); x is 0 except x_A = x_B = v, |v|^2 = 4.

    Query A: weight e^4 / (2 e^4 + n - 2) on A and B, 1 / (2 e^4 + n - 2) on
    the other n - 2 keys of its neighbourhood, 0 elsewhere. Every other query
    has uniform attention, so A and B are the two most concentrated queries.
    """
    grid = (4, 3, 3) if dims == 3 else (1, 3, 3)
    block_cls = NonLocalBlock3d if dims == 3 else NonLocalBlock2d
    block = block_cls(
        4, mode='gaussian', neighbourhood=neighbourhood).double().eval()
    x = torch.zeros(1, 4, *grid, dtype=torch.float64)
    for cell in (a, b):
        x[0, 0][cell] = 2.0
    if dims == 2:
        x = x[:, :, 0]
    report = explain_block(
        block, 'nl', x, input_size=(grid[0] * 2, 24, 24), queries=[a], topk=2)

    keys = [
        k for k in itertools.product(*map(range, grid))
        if _in_neighbourhood(neighbourhood, a, k)
    ]
    denominator = 2 * math.exp(4) + len(keys) - 2
    expected = torch.zeros(grid, dtype=torch.float64)
    for key in keys:
        expected[key] = (math.exp(4) if key in (a, b) else 1) / denominator
    torch.testing.assert_close(
        torch.from_numpy(report.views[0].weights).double(),
        expected,
        rtol=1e-6,
        atol=1e-7)
    assert set(report.views[0].top) == {a, b}
    assert report.top_weights[0] == pytest.approx([math.exp(4) / denominator] *
                                                  2)
    assert set(most_concentrated(block, x, num=2)) == {a, b}


def _identity_embeddings(block, concat_weight=None):
    with torch.no_grad():
        for module in (block.theta, block.phi):
            weight = module.conv.weight  # (C', C, 1, 1, 1)
            weight.copy_(torch.eye(weight.shape[0]).reshape(weight.shape))
            module.conv.bias.zero_()
        if concat_weight is not None:
            block.concat_project.conv.weight.copy_(
                concat_weight.reshape(1, -1, 1, 1))
    return block.eval()


def _direct_weights(mode, x, query, w_theta, w_phi):
    """Loop over every key: f(x_q, x_k), then softmax or division by the
    count."""
    grid = x.shape[1:]
    q = x[(slice(None), ) + query]
    f = torch.empty(grid)
    for key in itertools.product(*map(range, grid)):
        k = x[(slice(None), ) + key]
        f[key] = torch.relu(w_theta @ q +
                            w_phi @ k) if mode == 'concatenation' else q @ k
    if mode in ('gaussian', 'embedded_gaussian'):
        return f.flatten().softmax(0).reshape(grid)
    return f / f.numel()


@pytest.mark.parametrize(
    'mode', ['gaussian', 'embedded_gaussian', 'dot_product', 'concatenation'])
def test_weights_and_top_keys_follow_the_pairwise_function(mode):
    """Identity embeddings and one key B far out along the query's direction:
    the weights are the directly computed ones (normalised by the key count for
    dot product / concatenation, signed for dot product), and B ranks first."""
    w_theta, w_phi = torch.tensor([1., 0, 0, 0]), torch.tensor([1., 0, 0, 0])
    block = NonLocalBlock3d(4, inner_channels=4, mode=mode)
    if mode != 'gaussian':
        _identity_embeddings(
            block,
            torch.cat([w_theta, w_phi]) if mode == 'concatenation' else None)
    x = torch.randn(1, 4, 2, 3, 4) * 0.3
    query, key_b = (0, 1, 1), (1, 2, 3)
    x[0, :, 0, 1, 1] = torch.tensor([1.0, 0.5, 0, 0])
    x[0, :, 1, 2, 3] = torch.tensor([3.0, 1.5, 0, 0])
    report = explain_block(
        block, 'nl', x, input_size=(4, 24, 32), queries=[query], topk=3)

    expected = _direct_weights(mode, x[0], query, w_theta, w_phi)
    torch.testing.assert_close(
        torch.from_numpy(report.views[0].weights),
        expected,
        rtol=1e-5,
        atol=1e-6)
    if mode == 'dot_product':
        assert (expected < 0).any()  # signed weights are shown as they are
    order = expected.flatten().argsort(descending=True)[:3]
    assert report.views[0].top == [
        tuple(int(c) for c in np.unravel_index(i, expected.shape))
        for i in order.tolist()
    ]
    assert report.views[0].top[0] == key_b


def test_subsampled_keys_map_to_coarser_input_boxes():
    """Keys max-pooled (1, 2, 2): a key cell tiles 2 x 2 query cells. The query
    grid (2, 4, 4) of a (4, 32, 32) clip has strides (2, 8, 8), the key grid
    (2, 2, 2) strides (2, 16, 16); the distinctive position (1, 3, 2) is pooled
    into key (1, 1, 1), i.e. frames 2-3, pixels 16..31 x 16..31."""
    block = NonLocalBlock3d(4, mode='gaussian', sub_sample=True).eval()
    x = torch.zeros(1, 4, 2, 4, 4)
    x[0, 0, 0, 0, 0] = x[0, 0, 1, 3, 2] = 3.0
    report = explain_block(
        block, 'nl', x, input_size=(4, 32, 32), queries=[(0, 0, 0)], topk=1)
    assert report.query_map.stride == (2, 8, 8)
    assert report.key_map.grid_size == (2, 2, 2)
    assert report.key_map.stride == (2, 16, 16)
    assert report.views[0].top[0] == (1, 1, 1)
    assert report.key_map.box((1, 1, 1)) == ((2, 4), (16, 32), (16, 32))
    assert report.key_map.centre((1, 1, 1)) == (2.5, 23.5, 23.5)


def test_query_outside_the_grid_and_2d_frame_index_are_refused():
    block3d, block2d = NonLocalBlock3d(4).eval(), NonLocalBlock2d(4).eval()
    with pytest.raises(
            ValueError, match=r'query \(2, 0, 0\) is outside the grid'):
        explain_block(block3d, 'nl', torch.randn(1, 4, 2, 3, 3), (2, 6, 6),
                      [(2, 0, 0)])
    with pytest.raises(ValueError, match='a 2D block has one frame'):
        explain_block(block2d, 'nl', torch.randn(1, 4, 3, 3), (1, 6, 6),
                      [(1, 0, 0)])


# ------------------------------------------------------------------ geometry
def test_grid_pixel_mapping_hand_computed():
    mapping = grid_mapping((8, 64, 64), (4, 8, 8))
    assert mapping.stride == (2, 8, 8)
    assert mapping.box((1, 2, 3)) == ((2, 4), (16, 24), (24, 32))
    assert mapping.centre((1, 2, 3)) == (2.5, 19.5, 27.5)
    assert mapping.cell_of((3, 23, 31)) == (1, 2, 3)
    assert mapping.cell_of((2, 16, 24)) == (1, 2, 3)
    keys = mapping.pooled((1, 2, 2), (4, 4, 4))
    assert keys.stride == (2, 16, 16)
    assert keys.box((3, 1, 2)) == ((6, 8), (16, 32), (32, 48))
    assert keys.centre((3, 1, 2)) == (6.5, 23.5, 39.5)
    with pytest.raises(
            ValueError, match=r'gives \(4, 4, 4\), not \(4, 3, 4\)'):
        mapping.pooled((1, 2, 2), (4, 3, 4))


def test_mapping_with_rounding():
    # ceil: 100 px -> 13 cells of 8 px (conv padding); the last cell is clipped
    assert infer_stride(100, 13) == 8
    edge = grid_mapping((1, 100, 100), (1, 13, 13))
    assert edge.box((0, 12, 12)) == ((0, 1), (96, 100), (96, 100))
    assert edge.centre((0, 12, 12)) == (0.0, 97.5, 97.5)
    # floor: 7 px -> 3 cells of 2 px; pixel 6 belongs to no cell
    assert infer_stride(7, 3) == 2
    floor = grid_mapping((1, 1, 7), (1, 1, 3))
    tiled = floor.upsample(np.array([[[1., 2., 3.]]]))
    np.testing.assert_array_equal(tiled, [[[1, 1, 2, 2, 3, 3, 0]]])
    with pytest.raises(ValueError, match='lies in no cell'):
        floor.cell_of((0, 0, 6))
    with pytest.raises(
            ValueError, match='height: a grid of 9 cells cannot come'):
        grid_mapping((1, 8, 8), (1, 9, 8))
    with pytest.raises(
            ValueError, match=r'cell \(0, 0, 3\) is outside the grid'):
        floor.box((0, 0, 3))


# ----------------------------------------------------------------- rendering
def test_colour_scale_hand_computed():
    assert colour_scale(np.array([0., 0.1,
                                  0.3])) == ColourScale(0.1, 0.3, False)
    assert colour_scale(np.array([0.25] * 4)) == ColourScale(0.0, 0.25, False)
    assert colour_scale(np.array([-0.2, 0.1,
                                  0.])) == ColourScale(-0.2, 0.2, True)


def test_heat_overlay_leaves_zero_weights_untouched():
    frame = np.random.default_rng(0).integers(
        0, 256, (4, 5, 3), dtype=np.uint8)
    heat = np.zeros((4, 5))
    heat[1, 2], heat[3, 4] = 0.5, 0.1
    out = heat_overlay(frame, heat, colour_scale(heat))
    mask = heat == 0
    np.testing.assert_array_equal(out[mask], frame[mask])
    # the strongest weight: jet's top colour (dark red) blended at opacity 0.6
    top = np.array(matplotlib.colormaps['jet'](1.0)[:3]) * 255
    np.testing.assert_allclose(
        out[1, 2], 0.4 * frame[1, 2] + 0.6 * top, atol=0.51)


def test_strongest_key_is_drawn_thicker_whatever_its_frame():
    """Top keys: rank 0 in key frame 1, rank 1 in key frame 0, same circle
    size:
    the panel of frame 1 holds more key-coloured pixels than that of frame
    0."""
    mapping = GridMapping((2, 32, 32), (2, 2, 2), (1, 16, 16))
    view = QueryView((0, 1, 1), np.zeros((2, 2, 2)), [(1, 0, 0), (0, 0, 0)])
    image = np.asarray(
        grid_image(
            np.zeros((2, 32, 32, 3), np.uint8), [view],
            mapping,
            mapping,
            panel_size=64))
    green = (image == KEY_COLOUR).all(-1)
    frame0, frame1 = green[:, GAP:GAP + 64], green[:,
                                                   2 * GAP + 64:2 * GAP + 128]
    assert frame1.sum() > 1.5 * frame0.sum() > 0


def test_png_and_gif_have_the_expected_size_and_frames(tmp_path):
    """Clip (4, 32, 48), query grid (2, 4, 6), keys pooled to (2, 2, 3), 2
    queries, panels of longer side 96: a panel is 96 x 64 (+14 caption). PNG: 2
    rows (queries) x 2 columns (key frames) = (2*(96+4)+4, 2*(64+14+4)+4) =
    (204, 168). GIF: 4 frames (one per input frame) of 2 panels = (204,
    64+14+2*4) = (204, 86)."""
    block = NonLocalBlock3d(8, sub_sample=True).eval()
    x = torch.randn(1, 8, 2, 4, 6)
    report = explain_block(
        block,
        'layer3.0.non_local_block',
        x, (4, 32, 48),
        queries=[(0, 1, 1), (1, 3, 5)],
        topk=4)
    frames = np.random.default_rng(0).integers(
        0, 256, (4, 32, 48, 3), dtype=np.uint8)
    paths = write_report(report, frames, str(tmp_path), panel_size=96)
    assert paths['png'] == str(tmp_path /
                               'attention_layer3_0_non_local_block.png')
    assert (CAPTION, GAP) == (14, 4)
    assert Image.open(paths['png']).size == (204, 168)
    gif = Image.open(paths['gif'])
    assert (gif.size, gif.n_frames) == ((204, 86), 4)
    summary = json.loads(open(paths['json']).read())
    assert summary['key_grid'] == [2, 2, 3
                                   ] and summary['key_stride'] == [2, 16, 16]
    assert [q['cell'] for q in summary['queries']] == [[0, 1, 1], [1, 3, 5]]
    assert summary['queries'][1]['input_box'] == [[2, 4], [24, 32], [40, 48]]
    assert len(summary['queries'][0]['top_keys']) == 4
    with pytest.raises(ValueError, match='do not match the input size'):
        write_report(report, frames[:2], str(tmp_path))


# ------------------------------------------------------- blocks and capture
def test_block_names_default_and_unknown_name():
    model = nn.Module()
    model.backbone = nn.Sequential(
        nn.Conv3d(3, 4, 1), NonLocalBlock3d(4), NonLocalBlock3d(4))
    assert select_block(model.backbone)[0] == '2'
    assert select_block(model.backbone, 'backbone.1')[1] is model.backbone[1]
    with pytest.raises(
            ValueError,
            match="no non-local block named 'layer9'; "
            'valid names: 1, 2'):
        select_block(model.backbone, 'layer9')
    with pytest.raises(ValueError, match='Conv3d has no non-local blocks'):
        select_block(nn.Conv3d(3, 4, 1))


def test_capture_returns_the_block_input_and_stops_there():

    class Boom(nn.Module):

        def forward(self, x):
            raise AssertionError('ran past the captured block')

    conv, block = nn.Conv3d(3, 4, 1), NonLocalBlock3d(4)
    net = nn.Sequential(conv, block, Boom())
    clip = torch.randn(1, 3, 2, 5, 5)
    torch.testing.assert_close(
        capture_input(block, lambda: net(clip)),
        conv(clip).detach())
    with pytest.raises(RuntimeError, match='never reached'):
        capture_input(NonLocalBlock3d(4), lambda: net[0](clip))


# ---------------------------------------------------------------- end to end
VIDEO_CONFIG = '''
default_scope = 'mmaction'
custom_imports = dict(imports=['nl_plugin.action'], allow_failed_imports=False)
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='NLResNet3d', depth=50, base_channels=4,
        stage_blocks=(1, 1, 1, 1), pretrained='torchvision://resnet50',
        non_local=dict(res3=(0, )), non_local_cfg=dict(sub_sample=True)),
    cls_head=dict(type='I3DHead', num_classes=5, in_channels=128),
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], format_shape='NCTHW'))
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='SampleFrames', clip_len=4, frame_interval=2, num_clips=3,
         test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 48)),
    dict(type='ThreeCrop', crop_size=48),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
'''

DETECTION_CONFIG = '''
default_scope = 'mmdet'
custom_imports = dict(imports=['nl_plugin.det'], allow_failed_imports=False)
model = dict(
    type='RetinaNet',
    data_preprocessor=dict(
        type='DetDataPreprocessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_size_divisor=32),
    backbone=dict(
        type='NLResNet', depth=50, base_channels=4, out_indices=(0, 1, 2, 3),
        non_local='1-block', non_local_cfg=dict(mode='dot_product'),
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        type='FPN', in_channels=[16, 32, 64, 128], out_channels=8,
        start_level=1, add_extra_convs='on_input', num_outs=5),
    bbox_head=dict(
        type='RetinaHead', num_classes=2, in_channels=8, stacked_convs=1,
        feat_channels=8,
        anchor_generator=dict(
            type='AnchorGenerator', octave_base_scale=4, scales_per_octave=3,
            ratios=[0.5, 1.0, 2.0], strides=[8, 16, 32, 64, 128]),
        bbox_coder=dict(
            type='DeltaXYWHBBoxCoder', target_means=[.0, .0, .0, .0],
            target_stds=[1.0, 1.0, 1.0, 1.0]),
        loss_cls=dict(
            type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='L1Loss', loss_weight=1.0)),
    test_cfg=dict(nms_pre=100, min_bbox_size=0, score_thr=0.05,
                  nms=dict(type='nms', iou_threshold=0.5), max_per_img=10))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(96, 64), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                    'scale_factor')),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
'''


def _tiny_checkpoint(config_path, scope, path):
    """Random weights (so that attention is not uniform), saved as a plain
    state dict."""
    init_default_scope(scope)
    cfg = Config.fromfile(config_path).model
    cfg.backbone.pop('pretrained', None)
    cfg.backbone.pop('init_cfg', None)
    model = MODELS.build(cfg)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0, 0.3)
    torch.save({'state_dict': model.state_dict()}, path)


@pytest.fixture(scope='module')
def video_case(tmp_path_factory):
    """16 frames of 64 x 80 with a red square moving right; a tiny
    recognizer."""
    root = tmp_path_factory.mktemp('video')
    config, checkpoint = root / 'tiny.py', root / 'tiny.pth'
    video = root / 'clip.mp4'
    config.write_text(VIDEO_CONFIG)
    _tiny_checkpoint(str(config), 'mmaction', str(checkpoint))
    writer = cv2.VideoWriter(
        str(video), cv2.VideoWriter_fourcc(*'mp4v'), 8, (80, 64))
    for i in range(16):
        frame = np.full((64, 80, 3), 40, np.uint8)
        frame[20:36, 4 * i:4 * i + 16] = (0, 0, 255)  # BGR red
        writer.write(frame)
    writer.release()
    return str(config), str(checkpoint), str(video)


@pytest.fixture(scope='module')
def image_case(tmp_path_factory):
    """A 100 x 75 image with a blue rectangle; a tiny NL-ResNet RetinaNet."""
    root = tmp_path_factory.mktemp('image')
    config, checkpoint = root / 'det.py', root / 'det.pth'
    image = root / 'img.png'
    config.write_text(DETECTION_CONFIG)
    _tiny_checkpoint(str(config), 'mmdet', str(checkpoint))
    picture = np.full((75, 100, 3), 60, np.uint8)
    picture[10:40, 50:90] = (255, 0, 0)  # BGR blue
    cv2.imwrite(str(image), picture)
    return str(config), str(checkpoint), str(image)


def test_video_input_is_one_centre_cropped_clip_in_rgb(video_case):
    config, checkpoint, video = video_case
    model, cfg = load_model(config, checkpoint)
    sample = prepare_input(model, cfg, video)
    assert tuple(sample.inputs.shape) == (1, 3, 4, 48, 48)
    assert sample.frames.shape == (4, 48, 48,
                                   3) and sample.frames.dtype == np.uint8
    # Middle clip (span 4 x 2 = 8 of 16 frames, offset int(9 / 2) = 4): frames
    # 4, 6, 8, 10. The square (rows 20..35, columns 4i..4i+15) scaled by 48/64,
    # shifted by the centre crop of (60 - 48) / 2 = 6 columns: rows 15..26,
    # columns 6..17 in frame 4 and 24..35 in frame 10.
    red = (sample.frames[..., 0] > 180) & (sample.frames[..., 2] < 80)
    assert red[0, 20, 11] and red[3, 20, 30]
    assert not red[:, :14].any() and not red[:, 28:].any()
    assert not red[0, :, 19:].any() and not red[3, :, :23].any()


def test_image_input_is_padded_and_rgb(image_case):
    """Resize (96, 64) keeps the ratio: 100 x 75 -> 85 x 64, padded to 96 x
    64."""
    config, checkpoint, image = image_case
    model, cfg = load_model(config, checkpoint)
    sample = prepare_input(model, cfg, image)
    assert tuple(sample.inputs.shape) == (1, 3, 64, 96)
    assert sample.frames.shape == (1, 64, 96, 3)
    assert (sample.frames[0, :, 85:] == 0).all()
    blue = (sample.frames[0, ..., 2] > 200) & (sample.frames[0, ..., 0] < 60)
    assert blue[15, 60] and not blue[50, 20]


def _reference_top_keys(case, block_name, query, key_grid, k):
    """Top-k keys from the naive full affinity of the block input, captured
    with a
    plain forward hook while the whole backbone runs."""
    config, checkpoint, path = case
    model, cfg = load_model(config, checkpoint)
    sample = prepare_input(model, cfg, path)
    block = dict(model.backbone.named_modules())[block_name]
    seen = []
    handle = block.register_forward_hook(
        lambda module, args, out: seen.append(args[0]))
    with torch.no_grad():
        model.backbone(sample.inputs)
    handle.remove()
    weights, _, grid = pairwise_weights(block, seen[0])  # (N, P, S)
    row = weights[0,
                  int(np.ravel_multi_index(query[-len(grid):], tuple(grid)))]
    values, index = row.topk(k)
    cells = [
        list(map(int, np.unravel_index(i, key_grid))) for i in index.tolist()
    ]
    return values.tolist(), cells


def test_cli_on_a_video(video_case, tmp_path, capsys):
    config, checkpoint, video = video_case
    _cli().main([
        config, checkpoint, video, '--query', '1,2,3', '--query', '0,5,0',
        '--topk', '5', '--out',
        str(tmp_path)
    ])
    printed = capsys.readouterr().out.split()
    stem = str(tmp_path / 'attention_layer2_0_non_local_block')
    assert printed[-3:] == [stem + '.png', stem + '.gif', stem + '.json']
    summary = json.loads(open(stem + '.json').read())
    assert summary['input_size'] == [4, 48, 48]
    assert (summary['query_grid'], summary['query_stride']) == ([2, 6,
                                                                 6], [2, 8, 8])
    assert (summary['key_grid'], summary['key_stride']) == ([2, 3,
                                                             3], [2, 16, 16])
    first = summary['queries'][0]
    assert first['cell'] == [1, 2, 3]
    assert first['input_box'] == [[2, 4], [16, 24], [24, 32]]
    assert len(first['top_keys']) == 5
    values, cells = _reference_top_keys(video_case, 'layer2.0.non_local_block',
                                        (1, 2, 3), (2, 3, 3), 5)
    assert [k['cell'] for k in first['top_keys']] == cells
    assert [k['weight'] for k in first['top_keys']] == pytest.approx(
        values, rel=1e-4)
    # panels 256 x 256: (2 key frames, 2 queries) and 4 GIF frames
    assert Image.open(stem + '.png').size == (2 * 260 + 4, 2 * (270 + 4) + 4)
    gif = Image.open(stem + '.gif')
    assert (gif.size, gif.n_frames) == ((2 * 260 + 4, 270 + 8), 4)


def test_cli_auto_and_unknown_block(video_case, tmp_path, capsys):
    config, checkpoint, video = video_case
    cli = _cli()
    cli.main([
        config, checkpoint, video, '--auto', '--num-queries', '2', '--out',
        str(tmp_path)
    ])
    stem = str(tmp_path / 'attention_layer2_0_non_local_block')
    assert len(json.loads(open(stem + '.json').read())['queries']) == 2
    with pytest.raises(
            ValueError,
            match="no non-local block named 'layer4.0'; "
            'valid names: layer2.0.non_local_block'):
        cli.main([
            config, checkpoint, video, '--block', 'layer4.0', '--out',
            str(tmp_path)
        ])


def test_cli_on_a_detector_image(image_case, tmp_path, capsys):
    config, checkpoint, image = image_case
    _cli().main([
        config, checkpoint, image, '--block',
        'backbone.layer3.4.non_local_block', '--query', '1,2', '--topk', '3',
        '--out',
        str(tmp_path)
    ])
    stem = str(tmp_path / 'attention_layer3_4_non_local_block')
    assert capsys.readouterr().out.split()[-3:] == [
        stem + '.png', stem + '.gif', stem + '.json'
    ]
    summary = json.loads(open(stem + '.json').read())
    assert summary['mode'] == 'dot_product'
    assert (summary['input_size'], summary['query_grid']) == ([1, 64,
                                                               96], [1, 4, 6])
    assert summary['queries'][0]['cell'] == [0, 1, 2]
    assert summary['queries'][0]['input_box'] == [[0, 1], [16, 32], [32, 48]]
    values, cells = _reference_top_keys(image_case, 'layer3.4.non_local_block',
                                        (0, 1, 2), (4, 6), 3)
    assert [k['cell'] for k in summary['queries'][0]['top_keys']
            ] == [[0] + c for c in cells]
    assert [k['weight']
            for k in summary['queries'][0]['top_keys']] == pytest.approx(
                values, rel=1e-4)
    # one panel of 171 x 256 (64 x 96 scaled by 256/96) under a 14 px caption
    assert Image.open(stem + '.png').size == (256 + 8, 171 + 14 + 8)
    gif = Image.open(stem + '.gif')
    assert (gif.size, gif.n_frames) == ((256 + 8, 171 + 14 + 8), 1)
