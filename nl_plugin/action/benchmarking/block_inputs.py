"""NL blocks on the activations a network feeds them: capture, and our block
against mmcv's ``NonLocal3d`` with the same weights on those inputs."""
import time
from typing import Dict, List, Optional

import torch

from .measure import PeakRSS
from .stock_models import build_model, clip_batch, perturb_weights

IMPLS = ('ours', 'mmcv')


def _stage_name(name: str) -> str:
    """``backbone.layer3.1.non_local_block`` -> ``res4.1``."""
    parts = name.split('.')
    layer = next(p for p in parts if p.startswith('layer'))
    return f'res{int(layer[5:]) + 1}.{parts[parts.index(layer) + 1]}'


def block_kwargs(block) -> dict:
    """Arguments that build the same block in mmcv and here (spacetime,
    pooling after the embeddings: the stock configs' blocks)."""
    norm = dict(type='BN3d') if block.conv_out.with_norm else None
    return dict(
        in_channels=block.in_channels,
        mode=block.mode,
        sub_sample=block.sub_sample,
        use_scale=block.use_scale,
        norm_cfg=norm)


def capture(arch: str,
            mode: str,
            frames: int,
            batch: int,
            size: int,
            base_channels: int = 64,
            seed: int = 0,
            embedding_std: Optional[float] = None) -> List[dict]:
    """``[dict(name, kwargs, weights, x)]`` for every NL block of ``arch``
    (``i3d`` / ``c2d``), from one train-mode forward pass of ``batch``
    synthetic clips of ``frames`` x ``size`` x ``size``. The NL embeddings
    have our init (Kaiming, the paper's), or with ``embedding_std`` a normal
    one (0.01: mmcv's and the stock configs')."""
    torch.manual_seed(seed)
    model = build_model(
        'ours', mode=mode, arch=arch, base_channels=base_channels)
    if embedding_std is not None:
        for _, block in model.backbone.non_local_blocks():
            block.init_std = embedding_std
            block.reset_parameters()
    perturb_weights(model, seed)
    model.train()
    captured = []

    def hook(block, args):
        captured.append(
            dict(
                kwargs=block_kwargs(block),
                weights=block.state_dict(),
                x=args[0].detach().clone()))

    blocks = model.backbone.non_local_blocks()
    handles = [block.register_forward_pre_hook(hook) for _, block in blocks]
    data = clip_batch(batch, frames, size, seed)
    with torch.no_grad():
        inputs = model.data_preprocessor(data, training=True)['inputs']
        model.backbone(inputs.flatten(0, 1))  # (B, 1, 3, T, H, W) -> (B, ...)
    for handle in handles:
        handle.remove()
    for (name, _), entry in zip(blocks, captured):
        entry['name'] = _stage_name(name)
    return captured


def block_pair(entry: dict) -> Dict[str, torch.nn.Module]:
    """Our block and mmcv's with ``entry``'s weights, in train mode."""
    from mmcv.cnn import NonLocal3d

    from ...blocks import NonLocalBlock3d
    pair = dict(
        ours=NonLocalBlock3d(**entry['kwargs']),
        mmcv=NonLocal3d(**entry['kwargs']))
    pair['ours'].load_state_dict(entry['weights'], strict=True)
    pair['mmcv'].load_state_dict(_mmcv_keys(entry), strict=True)
    return {impl: block.train() for impl, block in pair.items()}


def _mmcv_keys(entry: dict) -> dict:
    """Our state dict in mmcv's layout: with ``sub_sample`` mmcv wraps g and
    phi in ``nn.Sequential(conv, pool)`` (``g.conv.*`` -> ``g.0.conv.*``)."""
    if not entry['kwargs']['sub_sample']:
        return entry['weights']
    wrapped = ('g.', 'phi.')
    return {
        (k.replace('.', '.0.', 1) if k.startswith(wrapped) else k): v
        for k, v in entry['weights'].items()
    }


def forward_backward(block, x, grad) -> float:
    """Seconds of one forward + backward of ``block`` on a copy of ``x``."""
    x = x.clone().requires_grad_(True)
    start = time.perf_counter()
    block(x).backward(grad)
    seconds = time.perf_counter() - start
    block.zero_grad(set_to_none=True)
    return seconds


def _grad(x: torch.Tensor) -> torch.Tensor:
    return torch.randn(
        x.shape, generator=torch.Generator().manual_seed(1), dtype=x.dtype)


def time_pair(entry: dict, repeats: int) -> dict:
    """Times of ours and mmcv's, alternating (who goes first swaps every
    repeat), after two warm-up calls each; and the largest output
    difference."""
    pair, x = block_pair(entry), entry['x']
    grad = _grad(x)
    times = {impl: [] for impl in IMPLS}
    for repeat in range(-2, repeats):
        for impl in IMPLS[::-1] if repeat % 2 else IMPLS:
            seconds = forward_backward(pair[impl], x, grad)
            if repeat >= 0:
                times[impl].append(seconds)
    with torch.no_grad():
        diff = (pair['ours'](x) - pair['mmcv'](x)).abs().max().item()
    return dict(times=times, diff=diff)


def peak_pair(entry: dict) -> dict:
    """Peak RSS growth (MB) of one forward + backward of each, after a
    warm-up call."""
    pair, x = block_pair(entry), entry['x']
    grad = _grad(x)
    peaks = {}
    for impl in IMPLS:
        forward_backward(pair[impl], x, grad)
        with PeakRSS() as rss:
            forward_backward(pair[impl], x, grad)
        peaks[impl] = rss.growth_mb
    return peaks
