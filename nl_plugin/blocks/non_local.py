"""Non-local blocks (Wang et al., CVPR 2018): ``z = BN(W_z y) + x``.

``y_i = 1/C(x) * sum_j f(x_i, x_j) g(x_j)`` with one of the paper's four
pairwise functions ``f``, computed exactly without the ``N x N`` affinity (see
:mod:`.pairwise`); in full precision on CPUs, where keys are few, with
``theta`` and ``W_z`` moved onto the keys and values (see
:mod:`.reassociation`). One core, :class:`NonLocalBlockNd`, and thin 1D/2D/3D
subclasses.

Drop-in for mmcv's ``NonLocal1d/2d/3d``: the constructor takes their arguments
and their state dicts load (also the ``g.0.*`` / ``phi.0.*`` keys mmcv writes
when ``sub_sample=True``). Defaults that differ from mmcv's, following the
paper:

* ``use_scale=False`` (mmcv: True); like mmcv, it scales only
  ``embedded_gaussian``;
* ``norm_cfg``: a BN after ``W_z`` (mmcv: none); its gamma and beta start at
  zero;
* embeddings use Kaiming init (mmcv: normal, std 0.01; pass ``init_std=0.01``
  or mmcv's own keyword ``std=0.01``).

Like mmcv, the inner width is ``max(in_channels // reduction, 1)``, so any
channel count works, and as a plugin of mmdet's ``ResNet`` the block is stored
under mmcv's name ``nonlocal_block`` (``_abbr_``), so checkpoints of mmdet
models with mmcv NL plugins load.
"""
import math
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmengine.model.weight_init import constant_init, kaiming_init, normal_init
from mmengine.registry import MODELS
from torch.utils.checkpoint import checkpoint

from .neighbourhood import (NEIGHBOURHOODS, check_grid, check_group_size,
                            group, key_mask, pairs_per_sample, ungroup)
from .pairwise import (compute_dtype, concatenation_aggregate,
                       dot_product_aggregate, fits_fp16, fp16_in_use,
                       softmax_aggregate)
from .pointwise import is_pointwise, pointwise_conv, stacking_pays
from .reassociation import (keys_in_input_space, reassociation_pays,
                            values_in_output_space)

MODES = ('gaussian', 'embedded_gaussian', 'dot_product', 'concatenation')
POOL_POSITIONS = ('after_embedding', 'before_embedding')
_GRID_AXES = {1: ('L', ), 2: ('H', 'W'), 3: ('T', 'H', 'W')}


def _choice(name: str, value, allowed: Sequence) -> None:
    if value not in allowed:
        raise ValueError(
            f'{name} must be one of {list(allowed)}, got {value!r}')


def _init_std(init_std, std) -> Optional[float]:
    """``init_std``, or mmcv's name for it, ``std``; validated."""
    if std is not None:
        if init_std is not None and init_std != std:
            raise ValueError(
                f'std is mmcv\'s name for init_std; pass one of them, got '
                f'init_std={init_std!r} and std={std!r}')
        init_std = std
    if init_std is not None and (isinstance(
            init_std, bool) or not isinstance(init_std,
                                              (int, float)) or init_std <= 0):
        raise ValueError(
            f'init_std (std) must be a positive number or None, got '
            f'{init_std!r}')
    return init_std


def _inner_channels(in_channels, reduction, inner_channels) -> int:
    """Validated width of theta / phi / g."""
    if not isinstance(in_channels, int) or in_channels < 1:
        raise ValueError(
            f'in_channels must be a positive int, got {in_channels!r}')
    if inner_channels is not None:
        if not isinstance(inner_channels, int) or inner_channels < 1:
            raise ValueError('inner_channels must be a positive int, got '
                             f'{inner_channels!r}')
        return inner_channels
    if not isinstance(reduction, int) or reduction < 1:
        raise ValueError(
            f'reduction must be a positive int, got {reduction!r}')
    return max(in_channels // reduction, 1)  # as mmcv: any in_channels


class NonLocalBlockNd(BaseModule):
    """Core of the non-local block for ``dims``-dimensional inputs.

    Args:
        in_channels (int): Channels of the input ``x``.
        reduction (int): Inner channels are ``max(in_channels // reduction,
            1)`` (paper: 2), as in mmcv.
        inner_channels (int, optional): Explicit inner channels; overrides
            ``reduction``.
        mode (str): Pairwise function: ``gaussian``, ``embedded_gaussian``
            (default), ``dot_product`` or ``concatenation``.
        neighbourhood (str): ``spacetime`` (default), or for 3D inputs
            ``space`` (each frame attends within itself), ``time`` (each
            location across frames) or ``grouped_time`` (each query attends
            within its run of ``group_size`` consecutive frames, as res3 of
            the official frozen-BN models).
        sub_sample (bool): Max-pool the keys (phi) and values (g) spatially.
        pool_position (str): ``after_embedding`` (default; the paper's text,
            "a max pooling layer after phi and g", and mmcv) pools the outputs
            of the phi/g convs; ``before_embedding`` (the official Caffe2
            code) pools ``x`` first, so phi and g run on a quarter of the
            positions. The paper's complexity figures (Table 2e: 5 NL blocks
            add 1.2x FLOPs to C2D R101; NL C2D R50 costs 0.8x the FLOPs of
            C2D R101) are those of ``before_embedding``, and the released
            models use it; ``after_embedding`` gives 1.32x and 0.90x.
        pool_kernel (int | tuple, optional): Max-pool kernel and stride;
            defaults to 2 per spatial axis (``(1, 2, 2)`` in 3D, ``(2, 2)`` in
            2D, ``2`` in 1D).
        use_scale (bool): Scale ``embedded_gaussian`` affinities by
            ``inner_channels ** -0.5`` (on in the official code, absent in the
            paper).
        zeros_init (bool): Start ``W_z``'s BN (or ``W_z`` itself without a
            norm) at zero so that the block is the identity.
        init_std (float, optional): Normal init std of the embeddings; ``None``
            means Kaiming init as in the paper.
        std (float, optional): mmcv's name for ``init_std``.
        conv_cfg (dict, optional): Conv layer config; defaults to ``ConvNd``.
        norm_cfg (dict, optional): Norm after ``W_z``; defaults to ``BNNd``.
            Pass ``None`` for no norm (mmcv's default).
        group_size (int, optional): Frames per run of the ``grouped_time``
            neighbourhood (official code: 4); only with that neighbourhood.
        with_cp (bool): Activation checkpointing, as ``with_cp`` of
            MMAction2's residual blocks: training keeps only the block's
            input and recomputes the rest in backward (less memory, one more
            forward pass). As there, the recomputation updates the BN's
            running statistics a second time.
        init_cfg (dict, optional): MMEngine init config.
    """

    dims = 3
    _abbr_ = 'nonlocal_block'  # mmcv's plugin name (mmdet ResNet plugins)

    def __init__(self,
                 in_channels: int,
                 reduction: int = 2,
                 inner_channels: Optional[int] = None,
                 mode: str = 'embedded_gaussian',
                 neighbourhood: str = 'spacetime',
                 sub_sample: bool = False,
                 pool_position: str = 'after_embedding',
                 pool_kernel: Optional[Union[int, Tuple[int, ...]]] = None,
                 use_scale: bool = False,
                 zeros_init: bool = True,
                 init_std: Optional[float] = None,
                 conv_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = 'default',
                 group_size: Optional[int] = None,
                 init_cfg: Optional[dict] = None,
                 std: Optional[float] = None,
                 with_cp: bool = False):
        super().__init__(init_cfg=init_cfg)
        _choice('mode', mode, MODES)
        _choice('neighbourhood', neighbourhood,
                NEIGHBOURHOODS if self.dims == 3 else ('spacetime', ))
        check_group_size(neighbourhood, group_size)
        _choice('pool_position', pool_position, POOL_POSITIONS)
        inner_channels = _inner_channels(in_channels, reduction,
                                         inner_channels)
        if sub_sample and neighbourhood == 'time':
            raise ValueError(
                "sub_sample pools space, which leaves the 'time' "
                'neighbourhood no aligned keys: use sub_sample=False '
                "with neighbourhood='time'")
        init_std = _init_std(init_std, std)
        if not isinstance(with_cp, bool):
            raise ValueError(f'with_cp must be a bool, got {with_cp!r}')

        self.with_cp = with_cp
        self.in_channels = in_channels
        self.inter_channels = inner_channels  # mmcv's attribute name
        self.mode = mode
        self.neighbourhood = neighbourhood
        self.group_size = group_size
        self.sub_sample = sub_sample
        self.pool_position = pool_position
        self.use_scale = use_scale
        self.zeros_init = zeros_init
        self.init_std = init_std
        self.pool_kernel = self._check_pool_kernel(pool_kernel)
        pools_time = self.pool_kernel[0] != 1
        if sub_sample and neighbourhood in ('space',
                                            'grouped_time') and pools_time:
            raise ValueError(
                'pool_kernel must not pool time (first entry 1) with '
                f'neighbourhood={neighbourhood!r}, got {self.pool_kernel}')

        conv_cfg = conv_cfg or dict(type=f'Conv{self.dims}d')
        if norm_cfg == 'default':
            norm_cfg = dict(type=f'BN{self.dims}d')
        embed = dict(kernel_size=1, conv_cfg=conv_cfg, act_cfg=None)
        self.g = ConvModule(in_channels, inner_channels, **embed)
        if mode != 'gaussian':
            self.theta = ConvModule(in_channels, inner_channels, **embed)
            self.phi = ConvModule(in_channels, inner_channels, **embed)
        if mode == 'concatenation':
            # w_f of the paper, stored as mmcv stores it: (1, 2C', 1, 1), no
            # bias.
            self.concat_project = ConvModule(
                inner_channels * 2,
                1,
                kernel_size=1,
                bias=False,
                act_cfg=dict(type='ReLU'))
        self.conv_out = ConvModule(
            inner_channels, in_channels, norm_cfg=norm_cfg, **embed)
        pool_cls = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)[self.dims - 1]
        self.pool = pool_cls(self.pool_kernel) if sub_sample else None
        self.reset_parameters()

    def _check_pool_kernel(self, kernel) -> Tuple[int, ...]:
        default = (1, 2, 2) if self.dims == 3 else (2, ) * self.dims
        if kernel is None:
            return default
        kernel = (kernel, ) * self.dims if isinstance(kernel,
                                                      int) else tuple(kernel)
        if len(kernel) != self.dims or not all(
                isinstance(k, int) and k >= 1 for k in kernel):
            raise ValueError(
                f'pool_kernel must be a positive int or a tuple of '
                f'{self.dims} positive ints, got {kernel!r}')
        return kernel

    # ------------------------------------------------------------------ init
    def reset_parameters(self) -> None:
        """Paper init: Kaiming embeddings, zero BN after ``W_z`` (identity
        block)."""
        for module in (self.g, getattr(self, 'theta',
                                       None), getattr(self, 'phi', None)):
            if module is None:
                continue
            if self.init_std is None:
                kaiming_init(module.conv, mode='fan_in', nonlinearity='relu')
            else:
                normal_init(module.conv, std=self.init_std)
        if self.mode == 'concatenation':
            kaiming_init(
                self.concat_project.conv, mode='fan_in', nonlinearity='relu')
        conv_out = self.conv_out
        out = conv_out.norm if conv_out.with_norm else conv_out.conv
        if self.conv_out.with_norm:
            normal_init(self.conv_out.conv, std=0.01)
        if self.zeros_init:
            constant_init(out, 0)
        else:
            normal_init(out, std=self.init_std or 0.01)

    def init_weights(self) -> None:
        """Re-applies the paper's init, so a parent's ``init_weights()`` keeps
        the block the identity; an explicit ``init_cfg`` takes precedence."""
        if self.init_cfg is None:
            self.reset_parameters()
            self._is_init = True
        else:
            super().init_weights()

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # mmcv wraps g/phi in nn.Sequential(conv, pool) when sub_sample=True.
        for name in ('g', 'phi'):
            old = f'{prefix}{name}.0.'
            for key in [k for k in state_dict if k.startswith(old)]:
                state_dict[f'{prefix}{name}.' +
                           key[len(old):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    # --------------------------------------------------------------- forward
    def _subsample(self, x: torch.Tensor) -> torch.Tensor:
        if self.pool is None:
            return x
        if any(s < k for s, k in zip(x.shape[2:], self.pool_kernel)):
            raise ValueError(
                f'pool_kernel {self.pool_kernel} is larger than the '
                f'feature map {tuple(x.shape[2:])}')
        return self.pool(x)

    def _project(self, x: torch.Tensor, modules: Sequence[ConvModule],
                 pooled: bool) -> List[torch.Tensor]:
        """Outputs ``(N, C_out, *grid)`` of the 1x1 embedding ``modules`` on
        ``x``, max-pooled (:meth:`_subsample`) where ``pooled``: as one
        convolution and one pooling where they are plain 1x1 convs and
        stacking pays (:func:`stacking_pays`)."""
        convs = [module.conv for module in modules]
        pointwise = all(is_pointwise(conv) for conv in convs)
        if pointwise and stacking_pays(x, convs):
            stacked = pointwise_conv(x, convs)  # (N, sum C_out, *grid)
            if pooled:
                stacked = self._subsample(stacked)
            return list(
                stacked.split([conv.out_channels for conv in convs], dim=1))
        outs = [
            pointwise_conv(x, [module.conv]) if pointwise else module(x)
            for module in modules
        ]
        return [self._subsample(out) for out in outs] if pooled else outs

    def _keys_values(self, x: torch.Tensor) -> List[torch.Tensor]:
        """``[phi, g]`` (just ``[g]`` for ``gaussian``), ``(N, C', *grid')``
        each."""
        modules = (self.g, ) if self.mode == 'gaussian' else (self.phi, self.g)
        if self.pool_position == 'before_embedding':
            return self._project(self._subsample(x), modules, pooled=False)
        return self._project(x, modules, pooled=True)

    def embed(self, x: torch.Tensor):
        """Returns ``theta (N, Cq, *grid)``, ``phi (N, Cq, *grid')``, ``g (N,
        C', *grid')``."""
        if self.mode == 'gaussian':  # theta and phi are x itself
            return x, self._subsample(x), self._keys_values(x)[0]
        phi, g = self._keys_values(x)
        return self._project(x, (self.theta, ), pooled=False)[0], phi, g

    def output(self, y: torch.Tensor) -> torch.Tensor:
        """``BN(W_z y)``: ``(N, C', *grid) -> (N, C, *grid)``."""
        if not is_pointwise(self.conv_out.conv):
            return self.conv_out(y)
        return self._normalise(pointwise_conv(y, [self.conv_out.conv]))

    def _normalise(self, z: torch.Tensor) -> torch.Tensor:
        """The norm after ``W_z`` (if any) on ``z (N, C, *grid)``."""
        # contiguous: BN's backward on a transposed view is slow on CPUs
        return self.conv_out.norm(z.contiguous()) if self.conv_out.with_norm \
            else z

    def _key_grid(self, grid: Tuple[int, ...]) -> Tuple[int, ...]:
        """Grid of the keys for queries on ``grid``."""
        if self.pool is None:
            return grid
        return tuple(s // k for s, k in zip(grid, self.pool_kernel))

    def _reassociates(self, x: torch.Tensor) -> bool:
        """Whether to move ``theta`` and ``W_z`` onto the keys and values
        (:mod:`.reassociation`): in full precision on CPUs (on CUDA and in
        half precision the fused kernels need equal widths and no key term),
        not traced (ONNX graphs and FLOP counts keep the paper's order),
        plain 1x1 projections, and where it costs fewer multiply-adds."""
        if (self.mode == 'concatenation' or x.is_cuda
                or compute_dtype(x) in (torch.float16, torch.bfloat16)
                or torch.jit.is_tracing()):
            return False
        projections = [self.conv_out.conv]
        if self.mode != 'gaussian':
            projections.append(self.theta.conv)
        if not all(is_pointwise(conv) for conv in projections):
            return False
        grid = tuple(x.shape[2:])
        key_grid = self._key_grid(grid)
        pairs = pairs_per_sample(grid, key_grid, self.neighbourhood,
                                 self.group_size)
        return reassociation_pays(self.mode, math.prod(grid),
                                  math.prod(key_grid), pairs,
                                  self.inter_channels, self.in_channels)

    def _reassociated(self, x: torch.Tensor) -> torch.Tensor:
        """``W_z y + b_z (N, C, *grid)`` with ``theta`` and ``W_z`` on the
        keys and values: queries ``x``."""
        nbhd, size = self.neighbourhood, self.group_size
        if self.mode == 'gaussian':
            key_bias, (g, ) = None, self._keys_values(x)
            k = group(self._subsample(x), nbhd, size)  # (B, S, C)
        else:
            phi, g = self._keys_values(x)
            k, key_bias = keys_in_input_space(
                group(phi, nbhd, size), self.theta.conv)  # (B, S, C), (B, S)
        q, g = group(x, nbhd, size), group(g, nbhd, size)
        conv_out = self.conv_out.conv
        if self.mode == 'dot_product':  # weights that do not sum to 1
            v = values_in_output_space(g, conv_out, with_bias=False)
            z = dot_product_aggregate(q, k, v, key_bias)  # (B, L, C)
            if conv_out.bias is not None:
                z = z + conv_out.bias
        else:
            v = values_in_output_space(g, conv_out)  # (B, S, C)
            z = softmax_aggregate(q, k, v, self._scale(), key_bias=key_bias)
        return ungroup(z, nbhd, tuple(x.shape[2:]), size)

    def _scale(self) -> float:
        """Logit scale of the softmax functions."""
        if self.use_scale and self.mode == 'embedded_gaussian':
            return 1 / math.sqrt(self.inter_channels)
        return 1.0

    def _concat_halves(self, theta, phi):
        """Splits ``w_f^T [theta_i, phi_j]`` into per-query and per-key
        scalars."""
        weight = self.concat_project.conv.weight.flatten()  # (2C', )
        w_theta, w_phi = weight.split(self.inter_channels)
        # (N, C', *grid) . (C', ) -> (N, 1, *grid)
        a = torch.einsum('nc...,c->n...', theta, w_theta).unsqueeze(1)
        b = torch.einsum('nc...,c->n...', phi, w_phi).unsqueeze(1)
        return a, b

    def aggregate(self, theta, phi, g) -> torch.Tensor:
        """``y`` of the paper, ``(N, C', *grid)``, for the embedded inputs."""
        grid = theta.shape[2:]
        nbhd, size = self.neighbourhood, self.group_size
        v = group(g, nbhd, size)  # (B, S, C')
        if self.mode == 'concatenation':
            a, b = self._concat_halves(theta, phi)
            y = concatenation_aggregate(
                group(a, nbhd, size).squeeze(-1),
                group(b, nbhd, size).squeeze(-1), v)
        else:
            q = group(theta, nbhd, size)  # (B, L, Cq)
            k = group(phi, nbhd, size)  # (B, S, Cq)
            if self.mode == 'dot_product':
                y = dot_product_aggregate(q, k, v)
            else:
                y = softmax_aggregate(q, k, v, self._scale())
        return ungroup(y, nbhd, tuple(grid), size)  # (N, C', *grid)

    def check_input(self, x: torch.Tensor) -> None:
        """Raises ``ValueError`` naming the block unless ``x`` is ``(N,
        in_channels, *grid)`` with ``dims`` grid axes and no empty axis."""
        name = f'{type(self).__name__}(in_channels={self.in_channels})'
        layout = '(N, C, ' + ', '.join(_GRID_AXES[self.dims]) + ')'
        shape = tuple(x.shape)
        if x.dim() != self.dims + 2:
            raise ValueError(f'{name} expects a {self.dims + 2}D input '
                             f'{layout}, got shape {shape}')
        if shape[1] != self.in_channels:
            raise ValueError(f'{name} expects {self.in_channels} channels '
                             f'(axis 1 of {layout}), got shape {shape}')
        if 0 in shape:
            raise ValueError(f'{name} needs a non-empty input: every axis of '
                             f'{layout} must have size >= 1, got shape '
                             f'{shape}')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.check_input(x)
        if self.with_cp and x.requires_grad and torch.is_grad_enabled():
            return checkpoint(self._forward, x, use_reentrant=False)
        return self._forward(x)

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        if fp16_in_use(x):
            return self._forward_fp16(x)
        if self._reassociates(x):
            return x + self._normalise(self._reassociated(x))
        return x + self.output(self.aggregate(*self.embed(x)))

    def _forward_fp16(self, x: torch.Tensor) -> torch.Tensor:
        """The block where fp16 is in use.

        The embedded Gaussian stays in fp16 (projections, fused attention
        kernel, which forms the logits in fp32) when its embeddings fit
        (:func:`fits_fp16`; one host sync). Otherwise the block computes in
        fp32 and returns fp32, like autocast's own fp32 ops: activations that
        fit fp16 can still give Gaussian affinities (the queries are ``x``),
        dot-product sums (they grow with the cube of ``x``) and weight
        gradients beyond 65504. bf16, with fp32's range, never needs this.
        """
        if self.mode == 'embedded_gaussian':
            embedded = self.embed(x)
            if fits_fp16(*embedded):
                return x + self.output(self.aggregate(*embedded))
        with torch.autocast(x.device.type, enabled=False):
            x = x.float()
            return x + self.output(self.aggregate(*self.embed(x)))

    # ------------------------------------------------------- visualisation
    @torch.no_grad()
    def attention_weights(self, x: torch.Tensor,
                          queries: Sequence[Sequence[int]]) -> torch.Tensor:
        """Normalised pairwise weights ``f(x_i, x_j) / C(x)`` of chosen
        queries.

        Only the ``Q`` requested rows are formed, never the ``N x N`` matrix.

        Args:
            x (Tensor): Block input ``(N, C, *grid)``.
            queries: ``Q`` grid coordinates (one int per spatial/temporal
            axis).

        Returns:
            Tensor: ``(N, Q, *key_grid)`` weights; zero outside each query's
            neighbourhood. Softmax weights sum to 1; dot-product and
            concatenation weights are divided by the number of keys.
        """
        self.check_input(x)
        theta, phi, _ = self.embed(x)
        grid, key_grid = tuple(theta.shape[2:]), tuple(phi.shape[2:])
        check_grid(grid, self.neighbourhood, self.group_size)
        for query in queries:
            if len(query) != self.dims or not all(
                    0 <= q < s for q, s in zip(query, grid)):
                raise ValueError(
                    f'query {tuple(query)} is outside the grid {grid}')
        index = (slice(None), slice(None)) + tuple(zip(*queries))
        q = theta[index].transpose(1, 2)  # (N, Q, Cq)
        k = phi.flatten(2)  # (N, Cq, S)
        masks = torch.stack([
            key_mask(
                tuple(qp), key_grid, self.neighbourhood, x.device,
                self.group_size).flatten() for qp in queries
        ])  # (Q, S)
        if self.mode == 'concatenation':
            a, b = self._concat_halves(theta, phi)
            f = torch.relu(a[index].transpose(1, 2) +
                           b.flatten(2))  # (N, Q, S)
        else:
            f = torch.bmm(q, k)  # (N, Q, Cq) x (N, Cq, S) -> (N, Q, S)
        if self.mode in ('gaussian', 'embedded_gaussian'):
            f = f * self._scale()
            weights = f.masked_fill(~masks, float('-inf')).softmax(dim=-1)
        else:
            weights = f * masks / masks.sum(dim=-1, keepdim=True)
        return weights.reshape(*weights.shape[:2], *key_grid)


@MODELS.register_module()
class NonLocalBlock1d(NonLocalBlockNd):
    """Non-local block for sequences ``(N, C, L)``; see
    :class:`NonLocalBlockNd`."""

    dims = 1


@MODELS.register_module()
class NonLocalBlock2d(NonLocalBlockNd):
    """Non-local block for images ``(N, C, H, W)``; see
    :class:`NonLocalBlockNd`."""

    dims = 2


@MODELS.register_module()
class NonLocalBlock3d(NonLocalBlockNd):
    """Non-local block for clips ``(N, C, T, H, W)``; see
    :class:`NonLocalBlockNd`."""

    dims = 3
