"""A trained-looking demo model and a few videos for the inference tools'
tests: synthetic mp4 (mp4v), Motion-JPEG AVI (another encoder), a broken
file."""
import os
import os.path as osp

import numpy as np
from mmengine.config import Config

from nl_plugin.action.datasets.synthetic_videos import (CLASS_NAMES,
                                                        render_video,
                                                        write_mp4)
from project_paths import CONFIGS
from tiny_configs import write_checkpoint
from tiny_videos import write_mjpg_avi

DEMO_NL = osp.join(CONFIGS, 'demo',
                   'nl-c2d_r50-tiny_1xb8-16x6x1-300iter_synthetic-rgb.py')


def make_tool_inputs(root: str) -> dict:
    """Writes, under ``root``: a checkpoint of the demo NL C2D config, its
    label map, ``videos/a.mp4`` (120 frames, 25 fps), ``videos/b.avi`` (MJPG,
    150 frames, 20 fps), ``broken.mp4`` (not a video) and ``list.txt``
    (MMAction2's ``path label`` lines, relative to ``videos/``).

    Returns:
        dict: ``config``, ``checkpoint``, ``labels``, ``videos`` (the two
        readable ones), ``folder``, ``broken``, ``list``.
    """
    os.makedirs(osp.join(root, 'videos'), exist_ok=True)
    paths = dict(
        config=DEMO_NL,
        checkpoint=osp.join(root, 'demo_nl.pth'),
        labels=osp.join(root, 'classes.txt'),
        folder=osp.join(root, 'videos'),
        broken=osp.join(root, 'broken.mp4'),
        list=osp.join(root, 'list.txt'))
    write_checkpoint(Config.fromfile(DEMO_NL), paths['checkpoint'])
    with open(paths['labels'], 'w') as f:
        f.write('\n'.join(CLASS_NAMES[:2]) + '\n')
    a, b = osp.join(root, 'videos', 'a.mp4'), osp.join(root, 'videos', 'b.avi')
    write_mp4(a, render_video(0, 120, 64, 96, np.random.default_rng(1)), 25.0)
    write_mjpg_avi(b, render_video(1, 150, 64, 96, np.random.default_rng(2)),
                   20.0)
    with open(paths['broken'], 'wb') as f:
        f.write(b'not a video')
    with open(paths['list'], 'w') as f:
        f.write('a.mp4 0\nb.avi 1\n')
    paths['videos'] = [a, b]
    return paths
