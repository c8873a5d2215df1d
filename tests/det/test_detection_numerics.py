"""NaN guard: the NL block inside the Mask R-CNN backbone under AMP and with
activations whose pairwise affinities overflow fp16.

mmcv's CPU RoIAlign has no half-precision kernel, so on CPU the autocast checks
cover what the NL block touches: the detector's backbone and FPN neck.
"""
import functools
import os

import pytest
import torch
from mmdet.registry import MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from finite_checks import assert_finite_backward
from project_paths import ROOT

CONFIG = os.path.join(ROOT, 'configs', 'detection',
                      'mask-rcnn_r50-nl1_fpn_synthetic.py')
FP16_MAX = torch.finfo(torch.float16).max
DTYPES = [torch.float16, torch.bfloat16]


@functools.lru_cache(maxsize=None)
def detector(mode: str):
    """The synthetic-config NL Mask R-CNN with ``mode``, its NL output BN at
    gamma = 1 so that the aggregation reaches the block's output."""
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.non_local_cfg.mode = mode
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    with torch.no_grad():
        model.backbone.layer3[4].non_local_block.conv_out.norm.weight.fill_(
            1.0)
    return model.eval()


def nl_block_and_input(mode: str, dtype: torch.dtype):
    """The NL block and what it receives when the detector runs under
    autocast."""
    model = detector(mode)
    block = model.backbone.layer3[4].non_local_block
    captured = []
    handle = block.register_forward_pre_hook(
        lambda m, args: captured.append(args[0]))
    torch.manual_seed(0)
    with torch.no_grad(), torch.autocast('cpu', dtype=dtype):
        model.backbone(torch.randn(1, 3, 96, 128))
    handle.remove()
    return block, captured[0]


def max_affinity(block, x):
    """Largest ``|theta_i . phi_j|`` (fp32) of the block for input ``x``."""
    with torch.no_grad():
        x = x.float()
        theta, phi = (x, x) if block.mode == 'gaussian' else (block.theta(x),
                                                              block.phi(x))
        return (theta.flatten(2).transpose(1, 2) @ phi.flatten(2)).abs().max()


def scale_to_overflow(block, x, factor=2.0):
    """``x`` rescaled so that its largest affinity is ``factor`` x the fp16
    max."""
    return x * (factor * FP16_MAX / max_affinity(block, x))**0.5


def check_autocast_matches_fp32(block, x, dtype, tolerance):
    with torch.no_grad():
        reference = block(x.float())
    assert torch.isfinite(reference).all()
    x = x.detach().clone().requires_grad_(True)
    block.zero_grad()
    with torch.autocast('cpu', dtype=dtype):
        out = block(x)
    assert torch.isfinite(out).all(), 'non-finite NL output under autocast'
    error = (out.float() - reference).norm() / reference.norm()
    assert error < tolerance, f'relative error {error:.3g} vs fp32'
    assert_finite_backward(out, x, block)


@pytest.mark.parametrize('dtype', DTYPES)
def test_detector_hands_the_nl_block_low_precision_features(dtype):
    _, x = nl_block_and_input('embedded_gaussian', dtype)
    assert x.dtype == dtype


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('mode', ['embedded_gaussian', 'gaussian'])
def test_softmax_modes_survive_affinities_beyond_fp16(mode, dtype):
    block, x = nl_block_and_input(mode, dtype)
    x = scale_to_overflow(block, x)
    assert max_affinity(block, x) > FP16_MAX
    check_autocast_matches_fp32(block, x, dtype, tolerance=0.05)


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('mode', ['dot_product', 'concatenation'])
def test_normalised_sum_modes_survive_large_activations(mode, dtype):
    """Activations 30x the initial ones: the dot-product affinities then exceed
    the fp16 range, the aggregated output still fits."""
    block, x = nl_block_and_input(mode, dtype)
    check_autocast_matches_fp32(block, 30 * x, dtype, tolerance=0.05)


def test_dot_product_output_beyond_fp16_range():
    block, x = nl_block_and_input('dot_product', torch.float16)
    check_autocast_matches_fp32(
        block,
        scale_to_overflow(block, x, 40.0),
        torch.float16,
        tolerance=0.05)


def test_gaussian_fp32_input_under_fp16_autocast():
    block, x = nl_block_and_input('gaussian', torch.float16)
    check_autocast_matches_fp32(
        block,
        scale_to_overflow(block, x).float(),
        torch.float16,
        tolerance=0.05)


@pytest.mark.parametrize('dtype', DTYPES)
def test_detector_features_are_finite_under_autocast(dtype):
    model = detector('embedded_gaussian')
    image = 50 * torch.randn(2, 3, 96,
                             128)  # far outside a normalised image's range
    with torch.no_grad():
        reference = model.extract_feat(image)
        with torch.autocast('cpu', dtype=dtype):
            features = model.extract_feat(image)
    for level, (f, r) in enumerate(zip(features, reference)):
        assert torch.isfinite(
            f).all(), f'FPN level {level} has non-finite values'
        assert (f.float() - r).norm() / r.norm() < 0.1, f'FPN level {level}'
