"""Complexity analysis counts the non-local blocks' matmuls."""
import os
import subprocess
import sys

import pytest
import torch
from mmengine.analysis import FlopAnalyzer

from nl_plugin.analysis import sdpa_flop_jit
from nl_plugin.blocks import NonLocalBlock3d
from project_paths import ROOT


@pytest.mark.parametrize('mode', ['embedded_gaussian', 'dot_product'])
def test_non_local_flops_by_hand(mode):
    c, inner, (t, h, w) = 16, 8, (2, 6, 6)
    block = NonLocalBlock3d(
        c, mode=mode, sub_sample=True, norm_cfg=None).eval()
    x = torch.randn(1, c, t, h, w)
    analyzer = FlopAnalyzer(block, (x, ))
    analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_flop_jit)
    analyzer.unsupported_ops_warnings(False)
    queries, keys = t * h * w, t * (h // 2) * (w // 2)
    convs = 3 * queries * c * inner + queries * inner * c  # theta, phi, g; W_z
    if mode == 'embedded_gaussian':
        pairwise = queries * keys * (inner + inner)
    else:  # the cheaper order is chosen: here the affinity is small
        pairwise = min((queries + keys) * inner * inner,
                       queries * keys * 2 * inner)
    assert analyzer.total() == convs + pairwise


def test_get_complexity_tool_on_a_config():
    config = os.path.join(
        ROOT, 'configs/recognition/nl_c2d/'
        'nl-c2d_r50-1block_8xb8-32x2x1-400k_kinetics400-rgb.py')
    baseline = os.path.join(
        ROOT, 'configs/recognition/c2d/'
        'c2d_r50_8xb8-32x2x1-400k_kinetics400-rgb.py')
    out = subprocess.run([
        sys.executable,
        os.path.join(ROOT, 'tools/analysis/get_complexity.py'), baseline,
        config, '--shape', '1', '1', '3', '8', '112', '112', '--markdown',
        '--baseline', baseline
    ],
                         capture_output=True,
                         text=True,
                         timeout=600,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [
        line.split('|')[1:-1] for line in out.stdout.splitlines()
        if line.startswith('|')
    ]
    (_, _, p0, f0, rp0, rf0), (_, _, p1, f1, rp1,
                               rf1) = [[s.strip() for s in r] for r in rows]
    # one NL block at res4 (1024 ch, inner 512): theta, phi, g, W_z + BN
    assert float(p1) - float(p0) == pytest.approx(
        (4 * 1024 * 512 + 3 * 512 + 1024 + 2 * 1024) / 1e6, abs=0.06)
    assert float(f1) > float(f0)
    # --baseline: ratios to the baseline's counts (itself: 1)
    assert (rp0, rf0) == ('1.00x', '1.00x')
    for ratio, num, den in ((rp1, p1, p0), (rf1, f1, f0)):
        _check_ratio_of_rounded(float(ratio[:-1]), float(num), float(den))


def _check_ratio_of_rounded(ratio, num, den, half_step=0.05):
    """``ratio`` (2 decimals) is ``num / den`` of the unrounded counts, which
    the table prints to 1 decimal."""
    low = (num - half_step) / (den + half_step) - 0.005
    high = (num + half_step) / (den - half_step) + 0.005
    assert low <= ratio <= high
