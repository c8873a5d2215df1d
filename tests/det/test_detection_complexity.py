"""tools/analysis/detection_complexity.py counts the NL block's cost
exactly."""
import os

import pytest

from project_paths import ROOT
from tool_loader import load_tool

CONFIGS = [
    os.path.join(ROOT, 'configs', 'detection', name)
    for name in ('mask-rcnn_r50_fpn_1x_coco.py',
                 'mask-rcnn_r50-nl1_fpn_1x_coco.py')
]

complexity = load_tool('analysis/detection_complexity.py')


def nl_block_flops(height, width, channels=1024, sub_sample=True):
    """Independent count (multiply-adds) of one embedded-Gaussian NL block on
    an (H, W) res4 map: theta/phi/g and W_z 1x1 convs, q k^T and attn v, and
    the affine BN after W_z (two FLOPs per element in fvcore's count)."""
    inner, queries = channels // 2, height * width
    keys = (height // 2) * (width // 2) if sub_sample else queries
    embeddings = 3 * channels * inner * queries
    pairwise = queries * keys * (inner + inner)
    w_z = inner * channels * queries
    return embeddings + pairwise + w_z + 2 * channels * queries


@pytest.mark.parametrize('sub_sample', [True, False])
def test_backbone_flops_difference_is_the_nl_block(sub_sample):
    options = {'model.backbone.non_local_cfg.sub_sample': sub_sample}
    # the baseline is mmdet's ResNet, which has no non_local_cfg
    baseline, = complexity.measure(CONFIGS[:1], 256, 384, ['backbone'], {})
    with_nl, = complexity.measure(CONFIGS[1:], 256, 384, ['backbone'], options)
    assert with_nl['flops'] - baseline['flops'] == nl_block_flops(
        256 // 16, 384 // 16, sub_sample=sub_sample)
    # theta, phi, g (1024 -> 512, with bias), W_z (512 -> 1024, no bias: a BN
    # follows), the BN's gamma and beta
    assert with_nl['params'] - baseline['params'] == (3 * (1024 * 512 + 512) +
                                                      512 * 1024 + 2 * 1024)
    assert 'aten::scaled_dot_product_attention' not in with_nl['skipped']
    assert 'FLOPs' in complexity.report([baseline, with_nl])
