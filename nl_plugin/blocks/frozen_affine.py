"""A frozen per-channel affine map: batch norm folded into a scale and shift.

The official code fine-tunes its long-clip models (32x4, 128x1) with every BN
turned into ``AffineNd``: ``y = x * s + b`` per channel, with
``s = gamma / sqrt(var + eps)`` and ``b = beta - mean * s`` taken from a
trained BN, and no gradient to ``s`` or ``b``. :class:`FrozenAffine` is that
layer: ``weight`` and ``bias`` are buffers, so no optimizer, weight decay or
``requires_grad`` setting ever changes them, and train and eval mode compute
the same thing.

Use it as a norm layer: ``norm_cfg=dict(type='FrozenAffine')``. Its
abbreviation is ``bn``, so a ``ConvModule`` stores it as ``.bn`` and the state
dict keys are those of a BN without the running statistics (``bn.weight``,
``bn.bias``).
"""
from typing import Tuple

import torch
import torch.nn as nn
from mmengine.registry import MODELS


def fold_batch_norm(weight: torch.Tensor, bias: torch.Tensor,
                    running_mean: torch.Tensor, running_var: torch.Tensor,
                    eps: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """Scale and shift of the BN ``(x - mean) / sqrt(var + eps) * w + b``.

    Returns:
        tuple: ``(scale, shift)``, each ``(C,)``, with ``scale = w /
        sqrt(var + eps)`` and ``shift = b - mean * scale``.
    """
    scale = weight / torch.sqrt(running_var + eps)
    return scale, bias - running_mean * scale


@MODELS.register_module()
class FrozenAffine(nn.Module):
    """``y = x * weight + bias`` per channel (dim 1), never trained.

    Args:
        num_features (int): Channels ``C`` of the input ``(N, C, ...)``.
        eps (float): The eps of the BN whose statistics :meth:`fold` takes in;
            the forward pass does not use it. Default 1e-5 (what
            ``build_norm_layer`` passes).
    """

    _abbr_ = 'bn'  # mmcv's build_norm_layer names the layer after this

    def __init__(self, num_features: int, eps: float = 1e-5):
        super().__init__()
        if isinstance(
                num_features,
                bool) or not isinstance(num_features, int) or num_features < 1:
            raise ValueError('num_features must be a positive int, got '
                             f'{num_features!r}')
        if not eps > 0:
            raise ValueError(f'eps must be positive, got {eps!r}')
        self.num_features = num_features
        self.eps = eps
        self.register_buffer('weight', torch.ones(num_features))
        self.register_buffer('bias', torch.zeros(num_features))

    @torch.no_grad()
    def fold(self, weight: torch.Tensor, bias: torch.Tensor,
             running_mean: torch.Tensor, running_var: torch.Tensor) -> None:
        """Sets the scale and shift of a trained BN (its eval-mode
        output)."""
        scale, shift = fold_batch_norm(weight, bias, running_mean, running_var,
                                       self.eps)
        self.weight.copy_(scale)
        self.bias.copy_(shift)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() < 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f'FrozenAffine({self.num_features}) expects (N, '
                f'{self.num_features}, ...), got shape {tuple(x.shape)}')
        shape = (1, -1) + (1, ) * (x.dim() - 2)
        # (N, C, ...) * (1, C, 1, ...) + (1, C, 1, ...)
        return torch.addcmul(self.bias.view(shape), x, self.weight.view(shape))

    def extra_repr(self) -> str:
        return f'{self.num_features}, eps={self.eps}'
