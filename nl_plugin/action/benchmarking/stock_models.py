"""MMAction2's stock NL-I3D R50 and ours, with the same weights.

The stock configs ``i3d_imagenet-pretrained-r50-nl-<mode>_8xb8-32x2x1-100e_
kinetics400-rgb`` (Recognizer3D, I3D R50, 5 NL blocks of mmcv's
``NonLocal3d``); ``ours`` is the same config with ``type='NLResNet3d'``, which
loads the stock state dict strictly. ``arch='c2d'`` turns either into the
paper's C2D (1x7x7 conv1, no inflation; ours only: 3x3x3 pool1 and 3x1x1
pool2).
"""
import torch

MODES = ('embedded_gaussian', 'gaussian', 'dot_product')
_STOCK = ('mmaction::recognition/i3d/i3d_imagenet-pretrained-r50-nl-{}_8xb8-'
          '32x2x1-100e_kinetics400-rgb.py')
_C2D = dict(conv1_kernel=(1, 7, 7), inflate=(0, 0, 0, 0))
_C2D_POOLS = dict(pool1_kernel_t=3, pool2_kernel_t=3)


def model_config(impl: str = 'mmcv',
                 mode: str = 'embedded_gaussian',
                 arch: str = 'i3d',
                 base_channels: int = 64,
                 with_cp: bool = False,
                 recompute_norm_act: bool = True):
    """The stock config of ``mode`` (``impl='ours'``: with ``NLResNet3d`` and
    its ``recompute_norm_act``); ``base_channels`` < 64 gives a narrower model
    for quick checks."""
    from mmengine.hub import get_config
    if mode not in MODES:
        raise ValueError(f'mode must be one of {list(MODES)}, got {mode!r}')
    cfg = get_config(_STOCK.format(mode.replace('_', '-')))
    backbone = cfg.model.backbone
    backbone.update(pretrained=None, base_channels=base_channels)
    backbone.with_cp = with_cp
    cfg.model.cls_head.in_channels = base_channels * 32  # res5 out
    if impl == 'ours':
        backbone.update(
            type='NLResNet3d', recompute_norm_act=recompute_norm_act)
    if arch == 'c2d':
        backbone.update(_C2D, **(_C2D_POOLS if impl == 'ours' else {}))
    return cfg


def build_model(impl: str = 'mmcv', **kwargs) -> torch.nn.Module:
    """The recognizer of :func:`model_config`."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    import nl_plugin.action  # noqa: F401
    init_default_scope('mmaction')
    return MODELS.build(model_config(impl, **kwargs).model)


def perturb_weights(model: torch.nn.Module, seed: int = 0) -> dict:
    """Random BN statistics and NL output-BN scales (mmcv and we zero-init
    them: NL = identity), in place; returns the state dict."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name.endswith('running_var'):
                t.copy_(torch.rand(t.shape, generator=generator) + 0.5)
            elif name.endswith('running_mean'):
                t.copy_(torch.randn(t.shape, generator=generator) * 0.1)
            elif 'non_local_block.conv_out.bn.weight' in name:
                t.copy_(torch.rand(t.shape, generator=generator) + 0.5)
    return model.state_dict()


def clip_batch(batch: int, frames: int, size: int, seed: int = 0) -> dict:
    """``batch`` synthetic videos (moving squares on noise) of ``frames``
    frames at ``size`` x ``size`` as a recognizer's ``data``: uint8
    ``(1, 3, T, H, W)`` inputs and labelled data samples."""
    import numpy as np
    from mmaction.structures import ActionDataSample

    from ..datasets.synthetic_videos import CLASS_NAMES, render_video
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for i in range(batch):
        label = i % len(CLASS_NAMES)
        video = render_video(label, frames, size, size, rng)  # (T, H, W, 3)
        inputs.append(torch.from_numpy(video).permute(3, 0, 1, 2)[None])
        samples.append(ActionDataSample().set_gt_label(label))
    return dict(inputs=inputs, data_samples=samples)
