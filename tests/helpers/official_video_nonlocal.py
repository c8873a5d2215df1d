"""Independent reference of the authors' released video models, written from
the graph of facebookresearch/video-nonlocal-net (lib/models/resnet_video.py,
resnet_video_org.py, resnet_helper.py, nonlocal_helper.py, the test branch of
create_model).

It reads a blob dict by its Caffe2 names and applies the official ops in the
official order with ``torch.nn.functional`` (Caffe2's pooling floors, as
PyTorch's does with ``ceil_mode=False``). It shares no code with nl_plugin:
the architecture comes from the official ``obtain_arc`` tables and layer
rules, not from the converter's name mapping or the configs.

Also builds random blob dicts with the exact names and shapes of each released
architecture, and pickles them as the official code does.
"""
import pickle
from typing import Dict, List, NamedTuple

import numpy as np
import torch
import torch.nn.functional as F

BN_EPSILON = 1.0000001e-5  # cfg.MODEL.BN_EPSILON, cfg.NONLOCAL.BN_EPSILON
MEAN, STD = 114.75, 57.375  # cfg.MODEL.MEAN / STD
BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3)}  # BLOCK_CONFIG


class Arch(NamedTuple):
    """One architecture of the official code.

    builder: 'resnet_video' (8x8, 32x4 models) or 'resnet_video_org'
        (32x2, 128x1); model: 'c2d' or 'i3d' (VIDEO_ARC_CHOICE 1/3 or 2/4);
    nonlocal_: CONV3_NONLOCAL and CONV4_NONLOCAL; affine: MODEL.USE_AFFINE
        (frozen BN, NL blocks without BN, res3 NL grouped).
    """
    builder: str
    model: str
    nonlocal_: bool
    affine: bool
    depth: int = 50


def arch_of(stem: str, depth: int = 50) -> Arch:
    """The architecture of a released file stem, from the official scripts."""
    model, kind, clip = stem.split('_')[:3]
    builder = 'resnet_video_org' if clip in ('32x2',
                                             '128x1') else 'resnet_video'
    return Arch(builder, model, kind == 'nonlocal', clip in ('32x4', '128x1'),
                depth)


def use_temp_convs(arch: Arch) -> List[List[int]]:
    """obtain_arc: temporal radius of conv1 and of every block's branch2a."""
    n1, n2, n3, n4 = BLOCKS[arch.depth]
    if arch.model == 'c2d':
        return [[0], [0] * n1, [0] * n2, [0] * n3, [0] * n4]
    res4 = [1 - i % 2 for i in range(n3)]  # 1, 0, 1, 0, ...
    return [[2], [1, 1, 1], [1, 0, 1, 0], res4, [0, 1, 0]]


def nonlocal_mod(arch: Arch, stage: int) -> int:
    """layer_mod of res3 / res4 in create_model (1000: no NL block)."""
    if not arch.nonlocal_ or stage not in (3, 4):
        return 1000
    if stage == 3:
        return 2  # LAYER_MOD, also for R101
    return 2 * 4 - 1 if arch.depth == 101 else 2


# ------------------------------------------------------------ blob shapes
def _conv_bn(shapes, prefix, bn, c_out, c_in, kernel, arch):
    shapes[f'{prefix}_w'] = (c_out, c_in) + kernel
    for suffix in ('s', 'b') if arch.affine else ('s', 'b', 'rm', 'riv'):
        shapes[f'{bn}_{suffix}'] = (c_out, )


def blob_shapes(arch: Arch, num_classes: int = 400) -> Dict[str, tuple]:
    """Name -> shape of every parameter blob of the architecture."""
    shapes = {}
    temp = use_temp_convs(arch)
    _conv_bn(shapes, 'conv1', 'res_conv1_bn', 64, 3,
             (1 + 2 * temp[0][0], 7, 7), arch)
    dim_in = 64
    for stage, num in zip((2, 3, 4, 5), BLOCKS[arch.depth]):
        inner, dim_out = 64 * 2**(stage - 2), 256 * 2**(stage - 2)
        for idx in range(num):
            prefix = f'res{stage}_{idx}'
            t = temp[stage - 1][idx]
            for branch, c_out, c_in, kernel in (
                ('2a', inner, dim_in, (1 + 2 * t, 1, 1)),
                ('2b', inner, inner, (1, 3, 3)),
                ('2c', dim_out, inner, (1, 1, 1)),
            ):
                _conv_bn(shapes, f'{prefix}_branch{branch}',
                         f'{prefix}_branch{branch}_bn', c_out, c_in, kernel,
                         arch)
            if dim_in != dim_out or (idx == 0 and stage > 2):
                _conv_bn(shapes, f'{prefix}_branch1', f'{prefix}_branch1_bn',
                         dim_out, dim_in, (1, 1, 1), arch)
            dim_in = dim_out
            mod = nonlocal_mod(arch, stage)
            if idx % mod == mod - 1:
                nl = f'nonlocal_conv{stage}_{idx}'
                for name in ('theta', 'phi', 'g'):
                    shapes[f'{nl}_{name}_w'] = (dim_in // 2, dim_in, 1, 1, 1)
                    shapes[f'{nl}_{name}_b'] = (dim_in // 2, )
                shapes[f'{nl}_out_w'] = (dim_in, dim_in // 2, 1, 1, 1)
                shapes[f'{nl}_out_b'] = (dim_in, )
                if not arch.affine:  # NONLOCAL.USE_BN
                    for suffix in ('s', 'b', 'rm', 'riv'):
                        shapes[f'{nl}_bn_{suffix}'] = (dim_in, )
    shapes['pred_w'] = (num_classes, 2048)
    shapes['pred_b'] = (num_classes, )
    return shapes


def random_blobs(arch: Arch, seed: int = 0) -> Dict[str, np.ndarray]:
    """Float32 blobs that keep activations of a reasonable size through the
    network: He-scaled convs, BN statistics near the identity, small residual
    and NL branch scales."""
    rng = np.random.default_rng(seed)
    blobs = {}
    for name, shape in blob_shapes(arch).items():
        if name.endswith('_w'):
            std = np.sqrt(2.0 / np.prod(shape[1:]))
            if name == 'pred_w' or name.endswith('_out_w'):
                std *= 0.2  # logits of a few units; NL branches small
            value = rng.standard_normal(shape, dtype=np.float32) * std
        elif name.endswith('_riv'):
            value = rng.uniform(0.5, 2.0, shape)
        elif name.endswith(('_rm', '_b')):
            value = rng.normal(0, 0.1, shape)
        else:  # BN / affine scale: small at residual and NL branch ends
            small = 'branch2c' in name or name.startswith('nonlocal')
            value = rng.uniform(0.1, 0.3, shape) if small else rng.uniform(
                0.5, 1.5, shape)
        blobs[name] = value.astype(np.float32, copy=False)
    return blobs


def with_training_state(blobs: Dict[str, np.ndarray]) -> Dict[str, object]:
    """Adds what save_model_params also writes: ``model_iter``, ``lr`` and a
    ``_momentum`` blob per trainable parameter (weights, BN scale/shift). The
    momentum arrays are the parameters' own objects, which pickle writes once
    (a memo reference): the same blob names, a smaller file."""
    state = dict(blobs)
    for name, value in blobs.items():
        if not name.endswith(('_rm', '_riv')):
            state[f'{name}_momentum'] = value
    state['model_iter'] = 400000
    state['lr'] = np.array([1e-4], dtype=np.float32)
    return state


# -------------------------------------------------- the official pickle
class _Python2Pickler(pickle._Pickler):
    """Writes what Python 2's cPickle writes at protocol 2: byte strings as
    ``str`` (BINSTRING) and numpy's globals under ``numpy.core``."""

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        data = obj.encode('latin1') if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + len(data).to_bytes(4, 'little') +
                       data)
        self.memoize(obj)

    dispatch[str] = save_py2_str
    dispatch[bytes] = save_py2_str

    def save_global(self, obj, name=None):
        module = getattr(obj, '__module__', None)
        name = name or obj.__qualname__
        if module and module.startswith('numpy._core'):
            module = 'numpy.core' + module[len('numpy._core'):]
        self.write(pickle.GLOBAL + f'{module}\n{name}\n'.encode())
        self.memoize(obj)

    dispatch[type] = save_global


def write_official_pickle(path: str, blobs: Dict, wrapped: bool) -> None:
    """``{'blobs': blobs}`` (checkpoints.save_model_params) or the flat dict
    (the convert_models scripts), protocol 2 as Python 2 writes it."""
    content = dict(blobs=blobs) if wrapped else blobs
    with open(path, 'wb') as f:
        _Python2Pickler(f, protocol=2).dump(content)


# ------------------------------------------------------------ the graph
def _t(blobs, name):
    return torch.from_numpy(np.asarray(blobs[name], dtype=np.float32))


def _norm(blobs, x, bn, arch):
    """SpatialBN in test mode (running stats), or AffineNd."""
    shape = (1, -1, 1, 1, 1)
    s, b = _t(blobs, f'{bn}_s').view(shape), _t(blobs, f'{bn}_b').view(shape)
    if arch.affine:
        return x * s + b
    mean = _t(blobs, f'{bn}_rm').view(shape)
    var = _t(blobs, f'{bn}_riv').view(shape)
    return (x - mean) / torch.sqrt(var + BN_EPSILON) * s + b


def _conv(blobs, x, prefix, stride=(1, 1, 1), pad=(0, 0, 0)):
    bias = blobs.get(f'{prefix}_b')
    return F.conv3d(x, _t(blobs, f'{prefix}_w'),
                    None if bias is None else _t(blobs, f'{prefix}_b'), stride,
                    pad)


def _conv_norm(blobs, x, prefix, arch, stride=(1, 1, 1), pad=(0, 0, 0)):
    return _norm(blobs, _conv(blobs, x, prefix, stride, pad), prefix + '_bn',
                 arch)


def _spacetime_nonlocal(blobs, x, prefix, arch):
    """nonlocal_helper.spacetime_nonlocal + the residual Sum of add_nonlocal,
    with explicit reshapes to (batch, dim_inner, -1)."""
    batch, dim_inner = x.shape[0], x.shape[1] // 2
    theta = _conv(blobs, x, prefix + '_theta')
    pooled = F.max_pool3d(x, (1, 2, 2), (1, 2, 2))  # USE_MAXPOOL, pads 0
    phi = _conv(blobs, pooled, prefix + '_phi')
    g = _conv(blobs, pooled, prefix + '_g')
    theta_r = theta.reshape(batch, dim_inner, -1)
    phi_r = phi.reshape(batch, dim_inner, -1)
    g_r = g.reshape(batch, dim_inner, -1)
    affinity = torch.bmm(theta_r.transpose(1, 2), phi_r)  # trans_a=1
    p = torch.softmax(affinity * dim_inner**-0.5, dim=2)  # USE_SCALE
    t = torch.bmm(g_r, p.transpose(1, 2))  # trans_b=1: (B, C', THW)
    out = _conv(blobs, t.reshape(theta.shape), prefix + '_out')
    if not arch.affine:
        out = _norm(blobs, out, prefix + '_bn', arch)
    return x + out


def _grouped_nonlocal(blobs, x, prefix, arch, group_size=4):
    """add_nonlocal_group: time split into group_num groups of 4 frames."""
    n, c, t, h, w = x.shape
    group_num = t // group_size
    assert t % group_size == 0
    x = x.permute(0, 2, 1, 3, 4).reshape(n * group_num, group_size, c, h, w)
    x = x.permute(0, 2, 1, 3, 4)  # (N * G, C, 4, H, W)
    out = _spacetime_nonlocal(blobs, x, prefix, arch)
    out = out.permute(0, 2, 1, 3, 4).reshape(n, t, c, h, w)
    return out.permute(0, 2, 1, 3, 4)


def _stage(blobs, x, arch, stage, dim_in, temp):
    dim_out = 256 * 2**(stage - 2)
    mod = nonlocal_mod(arch, stage)
    for idx in range(BLOCKS[arch.depth][stage - 2]):
        prefix = f'res{stage}_{idx}'
        stride = 2 if idx == 0 and stage > 2 else 1
        u = temp[idx]
        out = F.relu(
            _conv_norm(blobs, x, prefix + '_branch2a', arch, pad=(u, 0, 0)))
        out = F.relu(
            _conv_norm(
                blobs,
                out,
                prefix + '_branch2b',
                arch,
                stride=(1, stride, stride),
                pad=(0, 1, 1)))
        out = _conv_norm(blobs, out, prefix + '_branch2c', arch)
        if dim_in != dim_out or stride != 1:
            shortcut = _conv_norm(
                blobs,
                x,
                prefix + '_branch1',
                arch,
                stride=(1, stride, stride))
        else:
            shortcut = x
        x = F.relu(out + shortcut)
        dim_in = dim_out
        if idx % mod == mod - 1:
            nl = f'nonlocal_conv{stage}_{idx}'
            if arch.affine and stage == 3:
                x = _grouped_nonlocal(blobs, x, nl, arch)
            else:
                x = _spacetime_nonlocal(blobs, x, nl, arch)
    return x, dim_out


@torch.no_grad()
def official_scores(blobs,
                    frames: torch.Tensor,
                    arch: Arch,
                    spatial_pool: int = 7) -> torch.Tensor:
    """The official test output: softmax per position, averaged.

    Args:
        blobs: Caffe2 blob dict.
        frames (Tensor): ``(N, 3, T, H, W)`` RGB pixels in [0, 255].
        arch (Arch): The architecture.
        spatial_pool (int): pool5's spatial kernel (7 in the official code;
            smaller for test clips whose res5 map is smaller than 7x7).

    Returns:
        Tensor: ``(N, num_classes)`` class probabilities.
    """
    x = (frames.float() - MEAN) / STD
    temp = use_temp_convs(arch)
    t_stride = 2 if arch.builder == 'resnet_video_org' else 1
    u = temp[0][0]
    conv1 = _conv(blobs, x, 'conv1', stride=(t_stride, 2, 2), pad=(u, 3, 3))
    x = F.relu(_norm(blobs, conv1, 'res_conv1_bn', arch))
    x = F.max_pool3d(x, (t_stride, 3, 3), (t_stride, 2, 2))  # pads 0
    x, dim = _stage(blobs, x, arch, 2, 64, temp[1])
    x = F.max_pool3d(x, (2, 1, 1), (2, 1, 1))  # pool2
    for stage in (3, 4, 5):
        x, dim = _stage(blobs, x, arch, stage, dim, temp[stage - 1])
    # pool5: kernel [pool_stride, 7, 7], pool_stride = the res5 length of the
    # configured clip (VIDEO_LENGTH / 8 or / 2)
    x = F.avg_pool3d(x, (x.shape[2], spatial_pool, spatial_pool), 1)
    weight = _t(blobs, 'pred_w')
    pred = F.conv3d(x, weight.reshape(weight.shape[0], -1, 1, 1, 1),
                    _t(blobs, 'pred_b'))  # test split: ConvNd 'pred'
    n, k = pred.shape[:2]
    per_position = pred.permute(0, 2, 3, 4, 1).reshape(-1, k).softmax(dim=1)
    per_position = per_position.reshape(n, -1, k)  # (N, THW, K)
    return per_position.mean(dim=1)  # ReduceBackMean over W, H, T
