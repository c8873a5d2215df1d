"""Model complexity (parameters and FLOPs) with MMEngine's analyzers.

MMEngine's ``FlopAnalyzer`` counts one multiply-add as one FLOP and knows
convs, matmuls, ``bmm`` and ``einsum``. It does not know
``scaled_dot_product_attention``, which the embedded-Gaussian non-local block
uses: :func:`sdpa_flop_jit` counts it as the two matmuls it performs.
"""
from typing import Any, List, Sequence

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.analysis.jit_handles import get_shape


def sdpa_flop_jit(inputs: List[Any], outputs: List[Any]) -> int:
    """``softmax(q k^T) v``: ``L*S*E`` + ``L*S*Ev`` multiply-adds per batch and
    head."""
    q, k, v = (get_shape(t)
               for t in inputs[:3])  # (..., L, E), (..., S, E), (..., S, Ev)
    batch = 1
    for size in q[:-2]:
        batch *= size
    return batch * q[-2] * k[-2] * (q[-1] + v[-1])


class _ClassScores(nn.Module):
    """Adapts a recognizer/detector to ``module(inputs)`` for tracing."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, inputs):
        return self.model(inputs, mode='tensor')


def complexity(model: nn.Module, shape: Sequence[int]) -> dict:
    """Parameters and FLOPs of ``model`` on one zero input of ``shape``.

    Returns:
        dict: ``params``, ``flops`` (multiply-adds), and ``flops_by_module``
        (the analyzer, for per-module breakdowns).
    """
    model = model.eval()
    wrapped = _ClassScores(model)
    inputs = torch.zeros(*shape)
    analyzer = FlopAnalyzer(wrapped, (inputs, ))
    analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_flop_jit)
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    with torch.no_grad():
        flops = analyzer.total()
    return dict(
        params=parameter_count(model)[''], flops=flops, analyzer=analyzer)
