"""``nl_plugin.action`` works without mmdet, pycocotools and mmcv's compiled
ops (what ``mmcv-lite`` lacks): a recognizer with NL blocks builds, runs and
the video pipeline loads, in a fresh interpreter where importing any of them
fails."""
import subprocess
import sys
import textwrap

BLOCKER = '''
import importlib.abc
import sys

BLOCKED = ('mmdet', 'pycocotools', 'mmcv._ext', 'mmcv.ops')


class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + '.') for b in BLOCKED):
            raise ModuleNotFoundError(f'blocked by the test: {name}')


sys.meta_path.insert(0, Blocker())
'''

USE_VIDEO_PARTS = '''
import torch
import nl_plugin.action  # noqa: F401
from mmaction.registry import MODELS, TRANSFORMS
from mmengine.registry import init_default_scope

init_default_scope('mmaction')
model = MODELS.build(dict(
    type='Recognizer3D',
    backbone=dict(type='NLResNet3d', depth=50, base_channels=4,
                  stage_blocks=(1, 1, 1, 1), pretrained=None,
                  non_local=dict(res3=(0, ))),
    cls_head=dict(type='I3DHead', num_classes=3, in_channels=128)))
# (N, views, C, T, H, W) -> backbone features (N * views, 128, T', H', W')
features = model(torch.randn(1, 1, 3, 4, 32, 32), mode='tensor')
scores = model.cls_head(features)
assert scores.shape == (1, 3), scores.shape
for kind in ('CheckedDecordInit', 'RandomWindowSample', 'EvenWindowSample',
             'DecordUniqueDecode'):
    TRANSFORMS.build(dict(type=kind))
import mmaction.datasets  # noqa: F401
# the inference tools' library, ONNX export included
import nl_plugin.action.inference  # noqa: F401
import nl_plugin.action.inference.onnx_export  # noqa: F401
head = MODELS.build(dict(type='VideoLevelI3DHead', num_classes=3,
                         in_channels=8))
TRANSFORMS.build(dict(type='SlidingWindowSample', step=4))
leaked = sorted(m for m in sys.modules
                if m.split('.')[0] in ('mmdet', 'pycocotools'))
assert not leaked, leaked
print('ok')
'''


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-c', textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300)


def test_video_parts_need_neither_mmdet_nor_compiled_ops():
    result = _run(BLOCKER + USE_VIDEO_PARTS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split()[-1] == 'ok'


def test_the_blocker_blocks():
    """The check above would catch an import of mmdet or of the ops."""
    result = _run(BLOCKER + 'import nl_plugin.det\n')
    assert result.returncode != 0
    assert 'blocked by the test' in result.stderr
