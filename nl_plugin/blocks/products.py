"""Batched matrix products of the attention on the faster of two CPU kernels.

``torch.bmm`` runs BLAS (MKL) on CPUs; oneDNN runs 1x1 convolutions, which are
the same products: ``a (M, K) @ b (K, N)`` is the convolution of ``b`` read as
``K`` channels of length ``N`` with ``M`` filters ``a``. Which kernel is faster
depends on the CPU: on an AMD EPYC (Zen 5, 2 cores) MKL's fp32 products reached
~180 GFLOP/s and oneDNN's ~360, so the six products of the softmax attention
took 1.4-1.6x longer on BLAS at res3 / res4 of 32- and 128-frame clips (a
throwaway script, fp32, batch 1, the heap kept). The
first large fp32 product on a CPU times both once (:func:`onednn_is_faster`,
a few ms) and the choice holds for the process; :func:`use_cpu_kernel`
fixes it instead.

Small products stay on ``torch.bmm``: oneDNN's per-call overhead outweighs its
speed below :data:`_MIN_MACS` multiply-adds per matrix.
"""
import time
from typing import Dict, Optional

import torch
import torch.nn.functional as F

CPU_KERNELS = ('auto', 'blas', 'onednn')
# Per-matrix multiply-adds from which oneDNN's convolution was faster than
# bmm (AMD EPYC, 2 cores: 0.83-0.87x bmm's speed at 2M, 1.26x at 17M)
_MIN_MACS = 2**23
_kernel = 'auto'
_onednn_faster: Dict[int, bool] = {}  # by thread count


def use_cpu_kernel(kernel: str) -> None:
    """Runs the attention's large fp32 CPU products on ``'blas'``,
    ``'onednn'`` or, by default, whichever was faster when first timed
    (``'auto'``)."""
    global _kernel
    if kernel not in CPU_KERNELS:
        raise ValueError(
            f'kernel must be one of {list(CPU_KERNELS)}, got {kernel!r}')
    _kernel = kernel


def onednn_is_faster() -> bool:
    """Whether oneDNN's 1x1 convolution beat ``torch.bmm`` by 10% on a
    ``512^3`` fp32 product: timed once per process and thread count,
    alternating, best of three each after a warm-up."""
    threads = torch.get_num_threads()
    if threads not in _onednn_faster:
        # a generator of its own: seeded runs draw the same numbers whether
        # or not this ran (dropout masks, random weights)
        gen = torch.Generator().manual_seed(0)
        a, b = (torch.randn(1, 512, 512, generator=gen) for _ in range(2))
        kernels = {'blas': torch.bmm, 'onednn': _conv_bmm}
        best = dict.fromkeys(kernels, float('inf'))
        for _ in range(4):
            for name, product in kernels.items():
                start = time.perf_counter()
                product(a, b)
                best[name] = min(best[name], time.perf_counter() - start)
        _onednn_faster[threads] = best['onednn'] < 0.9 * best['blas']
    return _onednn_faster[threads]


def onednn_runs(*operands: torch.Tensor) -> bool:
    """Whether large products of ``operands`` go to oneDNN: fp32 on a CPU
    with oneDNN, not traced, and oneDNN the chosen (or faster) kernel."""
    if (any(t.device.type != 'cpu' or t.dtype != torch.float32
            for t in operands) or not torch.backends.mkldnn.is_available()
            or not torch.backends.mkldnn.enabled or torch.jit.is_tracing()
            or torch.compiler.is_compiling()):
        return False
    if _kernel == 'auto':
        return onednn_is_faster()
    return _kernel == 'onednn'


def _runs_on_onednn(macs: int, *operands: torch.Tensor) -> bool:
    """Whether a product of ``macs`` multiply-adds per matrix goes to oneDNN:
    at least :data:`_MIN_MACS` and :func:`onednn_runs`."""
    return macs >= _MIN_MACS and onednn_runs(*operands)


def _conv_bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a (B, M, K) @ b (B, K, N) -> (B, M, N)``, each product a 1x1
    convolution of ``b`` read as ``K`` channels of length ``N`` by ``M``
    filters ``a``; both contiguous. One convolution per matrix: as one
    grouped convolution, ``M`` of 4, 8 or 12 mod 16 ran 2.5-5x slower (2 x
    1044 x 512 x 784 on the AMD EPYC)."""
    # (1, K, N) * (M, K, 1) -> (1, M, N)
    outs = [F.conv1d(b[i:i + 1], a[i].unsqueeze(-1)) for i in range(len(a))]
    return outs[0] if len(outs) == 1 else torch.cat(outs)


def _macs(a: torch.Tensor, b: torch.Tensor) -> int:
    """Multiply-adds of each of the ``B`` products ``a (B, M, K) @ b (B, K,
    N)``."""
    return a.shape[1] * a.shape[2] * b.shape[2]


def _copies(*tensors: torch.Tensor) -> int:
    """Entries copied to make ``tensors`` contiguous."""
    return sum(0 if t.is_contiguous() else t.numel() for t in tensors)


def bmm(a: torch.Tensor,
        b: torch.Tensor,
        contiguous: bool = False) -> torch.Tensor:
    """``a (B, M, K) @ b (B, K, N) -> (B, M, N)``; ``contiguous`` asks for a
    contiguous result.

    On oneDNN as ``a @ b`` or as ``(b^T @ a^T)^T`` (a transposed view),
    whichever copies fewer entries to make the operands (and the result, if
    asked) contiguous.
    """
    if not _runs_on_onednn(_macs(a, b), a, b):
        return torch.bmm(a, b)
    a_t, b_t = a.transpose(1, 2), b.transpose(1, 2)
    transposing = _copies(b_t, a_t) + (
        a.shape[1] * b.shape[2] if contiguous else 0)
    if transposing < _copies(a, b):
        out = _conv_bmm(b_t.contiguous(), a_t.contiguous()).transpose(1, 2)
        return out.contiguous() if contiguous else out
    return _conv_bmm(a.contiguous(), b.contiguous())


def add_bmm_(out: torch.Tensor, a: torch.Tensor,
             b: torch.Tensor) -> torch.Tensor:
    """``out += a @ b`` in place (see :func:`bmm`)."""
    if not _runs_on_onednn(_macs(a, b), a, b):
        return out.baddbmm_(a, b)
    return out.add_(bmm(a, b))


def linear(x: torch.Tensor,
           weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear``: ``x (B, S, C_in)``, ``weight (C_out, C_in)`` -> ``(B, S,
    C_out)``; on oneDNN as the 1x1 convolution of ``x^T (B, C_in, S)`` (a
    transposed view of its contiguous result), transposed where ``weight``
    is the transposed view of a contiguous ``(C_in, C_out)`` (no copy)."""
    _, rows, channels = x.shape
    if not _runs_on_onednn(rows * channels * weight.shape[0], x, weight):
        return F.linear(x, weight, bias)
    x_t = x.transpose(1, 2)  # (B, C_in, S)
    if weight.t().is_contiguous():  # (C_in, C_out, 1) -> (B, C_out, S)
        out = F.conv_transpose1d(x_t, weight.t().unsqueeze(-1), bias)
    else:  # (C_out, C_in, 1) -> (B, C_out, S)
        out = F.conv1d(x_t, weight.unsqueeze(-1), bias)
    return out.transpose(1, 2)
