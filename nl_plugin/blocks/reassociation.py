"""Moving the query and output projections of a non-local block onto its
keys and values (Gaussian, embedded Gaussian, dot product).

Both 1x1 projections commute with the attention:

* ``theta``: ``(W_t x_i + b_t) . phi_j = x_i . (W_t^T phi_j) + b_t . phi_j``,
  so the queries can be ``x`` itself against keys ``W_t^T phi_j`` with a
  per-key logit term ``b_t . phi_j``;
* ``W_z``: ``W_z sum_j w_ij g_j = sum_j w_ij (W_z g_j)``, so the values can be
  projected instead of the outputs; the bias ``b_z`` goes with the values
  where the weights sum to 1 (softmax), after the sum otherwise.

Each move trades a projection of the ``L`` queries for one of the ``S`` keys,
at the price of attention as wide as the block's input. Where keys are few
and the input wide, as at res4 of a 32-frame clip (784 queries, 196 keys,
1024 channels, 512 inner), that is about half the multiply-adds of the
projections and attention (:func:`reassociation_pays`).
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn

from .products import linear


def attention_cost(mode: str, queries: int, keys: int, pairs: int,
                   query_width: int, value_width: int) -> int:
    """Multiply-adds of the pairwise term over ``pairs`` (query, key) pairs:
    logits and weighted sum; for ``dot_product`` also through ``k^T v``
    where that is cheaper (as :func:`.pairwise.dot_product_aggregate`)."""
    by_pairs = pairs * (query_width + value_width)
    if mode != 'dot_product':
        return by_pairs
    return min(by_pairs, (queries + keys) * query_width * value_width)


def reassociation_pays(mode: str, queries: int, keys: int, pairs: int,
                       inner: int, channels: int) -> bool:
    """Whether the block of ``mode`` costs fewer multiply-adds with its
    projections ``theta`` (none for ``gaussian``: its queries are ``x``)
    and ``W_z`` (``inner <-> channels``) on the ``keys`` than on the
    ``queries``, with attention as wide as each side needs."""
    projections = 1 if mode == 'gaussian' else 2
    query_width = channels if mode == 'gaussian' else inner
    on_queries = projections * queries * inner * channels + attention_cost(
        mode, queries, keys, pairs, query_width, inner)
    on_keys = projections * keys * inner * channels + attention_cost(
        mode, queries, keys, pairs, channels, channels)
    return on_keys < on_queries


def keys_in_input_space(
        phi: torch.Tensor,
        theta: nn.Module) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """Keys ``W_t^T phi_j (B, S, C)`` and their logit terms ``b_t . phi_j (B,
    S)`` (``None`` without a bias) for the 1x1 conv ``theta`` (``C -> C'``)
    and grouped keys ``phi (B, S, C')``."""
    weight = theta.weight.flatten(1)  # (C', C)
    keys = linear(phi, weight.t())  # (B, S, C') x (C', C)
    if theta.bias is None:
        return keys, None
    # (B, S, C') x (C', 1): torch's ONNX exporter got the product with the
    # vector itself wrong
    return keys, torch.matmul(phi, theta.bias.unsqueeze(-1)).squeeze(-1)


def values_in_output_space(g: torch.Tensor,
                           conv_out: nn.Module,
                           with_bias: bool = True) -> torch.Tensor:
    """Values ``W_z g_j (+ b_z) (B, S, C)`` for the 1x1 conv ``conv_out``
    (``C' -> C``) and grouped values ``g (B, S, C')``. The bias belongs on
    the values only where the weights sum to 1 (softmax)."""
    bias = conv_out.bias if with_bias else None
    return linear(g, conv_out.weight.flatten(1), bias)
