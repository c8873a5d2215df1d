"""Moving the query and output projections of a softmax non-local block onto
its keys and values.

Both 1x1 projections commute with the attention:

* ``theta``: ``(W_t x_i + b_t) . phi_j = x_i . (W_t^T phi_j) + b_t . phi_j``,
  so the queries can be ``x`` itself against keys ``W_t^T phi_j`` with a
  per-key logit term ``b_t . phi_j``;
* ``W_z``: softmax weights sum to 1, so ``W_z sum_j w_ij g_j + b_z = sum_j
  w_ij (W_z g_j + b_z)``: the values can be projected instead of the outputs.

Each move trades a projection of the ``L`` queries for one of the ``S`` keys,
at the price of attention as wide as the block's input. Where keys are few
and the input wide, as at res4 of a 32-frame clip (784 queries, 196 keys,
1024 channels, 512 inner), that is about half the multiply-adds of either
step (:func:`reassociation_pays`).
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def reassociation_pays(queries: int, keys: int, pairs: int, inner: int,
                       channels: int) -> bool:
    """Whether a projection ``inner <-> channels`` costs fewer multiply-adds
    on the ``keys`` side of attention over ``pairs`` (query, key) pairs than
    on the ``queries`` side.

    Either side: one projection and the attention's product at its width.
    Both moves of this module compare the same two costs.
    """
    on_queries = queries * inner * channels + pairs * inner
    on_keys = keys * inner * channels + pairs * channels
    return on_keys < on_queries


def keys_in_input_space(
        phi: torch.Tensor,
        theta: nn.Module) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """Keys ``W_t^T phi_j (B, S, C)`` and their logit terms ``b_t . phi_j (B,
    S)`` (``None`` without a bias) for the 1x1 conv ``theta`` (``C -> C'``)
    and grouped keys ``phi (B, S, C')``."""
    weight = theta.weight.flatten(1)  # (C', C)
    keys = torch.matmul(phi, weight)  # (B, S, C') x (C', C)
    if theta.bias is None:
        return keys, None
    # (B, S, C') x (C', 1): torch's ONNX exporter got the product with the
    # vector itself wrong
    return keys, torch.matmul(phi, theta.bias.unsqueeze(-1)).squeeze(-1)


def values_in_output_space(g: torch.Tensor,
                           conv_out: nn.Module) -> torch.Tensor:
    """Values ``W_z g_j + b_z (B, S, C)`` for the 1x1 conv ``conv_out`` (``C'
    -> C``) and grouped values ``g (B, S, C')``."""
    return F.linear(g, conv_out.weight.flatten(1), conv_out.bias)
