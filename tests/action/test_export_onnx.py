"""ONNX export of recognizers (NL C2D and NL I3D; embedded Gaussian, Gaussian
and dot product; space / time neighbourhoods): ONNX Runtime's class scores
equal PyTorch's within 1e-4 for batches other than the exported one;
concatenation is refused with the mode and an alternative named (torch's
exporter cannot export its searchsorted); the tool prints the check."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import MODELS, init_default_scope

from nl_plugin.action.inference.onnx_export import (ExportError,
                                                    compare_with_pytorch,
                                                    export_onnx,
                                                    onnxruntime_session)
from nl_plugin.blocks import NonLocalBlock3d
from tiny_configs import perturb_weights
from tool_loader import load_tool
from tool_videos import DEMO_NL, make_tool_inputs

# onnx_export imports ONNX Runtime only where it runs a model
pytest.importorskip('onnxruntime')

CLIP = (16, 48, 72)  # the demo config's test clips
I3D = dict(
    conv1_kernel=(5, 7, 7),
    inflate=((1, ), (1, ), (1, ), (1, )),
    inflate_style='3x1x1')


def recognizer(mode: str, neighbourhood='spacetime', i3d=False):
    """The demo's tiny NL C2D (or its I3D inflation), weights perturbed so
    that the NL blocks matter."""
    cfg = copy.deepcopy(Config.fromfile(DEMO_NL).model)
    cfg.backbone.non_local_cfg.update(
        mode=mode,
        neighbourhood=neighbourhood,
        sub_sample=neighbourhood != 'time')
    if i3d:
        cfg.backbone.update(I3D)
    init_default_scope('mmaction')
    return perturb_weights(MODELS.build(cfg)).eval()


@pytest.mark.parametrize('mode,neighbourhood,i3d', [
    ('embedded_gaussian', 'spacetime', False),
    ('embedded_gaussian', 'spacetime', True),
    ('dot_product', 'spacetime', False),
    ('dot_product', 'spacetime', True),
    ('gaussian', 'spacetime', True),
    ('embedded_gaussian', 'space', False),
    ('dot_product', 'time', True),
])
def test_onnx_runtime_equals_pytorch(mode, neighbourhood, i3d, tmp_path):
    model = recognizer(mode, neighbourhood, i3d)
    path = str(tmp_path / 'model.onnx')
    export_onnx(model, path, CLIP)  # traced with 2 clips
    session = onnxruntime_session(path)
    for batch in (1, 5):  # the clip axis is dynamic
        clips = torch.rand(batch, 3, *CLIP) * 255
        diffs = compare_with_pytorch(model, session, clips)
        assert max(diffs.values()) <= 1e-4, diffs
    outputs = session.run(None, {'clips': clips.numpy()})
    assert [o.shape for o in outputs] == [(5, 2), (5, 2)]


def test_concatenation_is_refused_naming_the_mode_and_alternatives(tmp_path):
    with pytest.raises(ExportError) as error:
        export_onnx(
            recognizer('concatenation'), str(tmp_path / 'c.onnx'), CLIP)
    message = str(error.value)
    assert "mode='concatenation'" in message and 'searchsorted' in message
    assert 'dot_product' in message and 'backbone.layer2.0' in message
    # why: torch's own exporter has no ONNX operator for it
    block = NonLocalBlock3d(8, mode='concatenation').eval()
    with pytest.raises(Exception, match='searchsorted'):
        torch.onnx.export(
            block, (torch.randn(1, 8, 2, 4, 4), ),
            str(tmp_path / 'block.onnx'),
            dynamo=False)


def test_tool_exports_and_prints_the_check(tmp_path, capsys):
    inputs = make_tool_inputs(str(tmp_path))
    out = str(tmp_path / 'demo.onnx')
    code = load_tool('deployment/export_onnx.py').main([
        inputs['config'], inputs['checkpoint'], '--out', out, '--video',
        inputs['videos'][1]
    ])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert 'clips (N, 3, 16, 48, 72)' in printed
    assert '(10 views)' in printed and 'OK: largest difference' in printed
    with pytest.raises(SystemExit, match='cannot read'):
        load_tool('deployment/export_onnx.py').main([
            inputs['config'], inputs['checkpoint'], '--out', out, '--video',
            inputs['broken']
        ])
