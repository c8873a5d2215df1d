"""Batched matrix products of the attention on the faster of two CPU kernels.

``torch.bmm`` runs BLAS (MKL) on CPUs; oneDNN runs 1x1 convolutions, which are
the same products: ``a (M, K) @ b (K, N)`` is the convolution of ``b`` read as
``K`` channels of length ``N`` with ``M`` filters ``a``. On CPUs with AVX-512
from other vendors than Intel, MKL runs its AVX2 code and oneDNN its AVX-512
code: on an AMD EPYC (Zen 5, 2 cores) MKL's fp32 products reached ~180
GFLOP/s and oneDNN's ~360, and the six products of the softmax attention took
1.4-1.6x longer on BLAS at res3 / res4 of 32- and 128-frame clips (a
throwaway script, fp32, batch 1, the heap kept). There the products run on
oneDNN (:func:`onednn_is_faster`); elsewhere on BLAS, as in earlier rounds'
benchmarks on an Intel Xeon (the two kernels not compared there);
:func:`use_cpu_kernel` fixes the choice.

The choice is a rule, not a timing: timed in a fresh process, the kernels'
order on one product changed with glibc's allocator state (a 512^3 product:
BLAS 1.7-1.9 ms, oneDNN 2.4-2.7 ms in the first calls, 1.4 and 1.0 ms later).

Small products stay on ``torch.bmm``: below :data:`_MIN_MACS` multiply-adds or
:data:`_MIN_ENTRIES` result entries per matrix oneDNN was slower.
"""
import functools
from typing import Optional

import torch
import torch.nn.functional as F

CPU_KERNELS = ('auto', 'blas', 'onednn')
# Per-matrix multiply-adds and result entries from which oneDNN's convolution
# was faster than bmm (AMD EPYC, 2 cores: 0.83-0.87x bmm's speed at 2M
# multiply-adds, 1.26x at 17M (256^3); 0.79-0.98x with 196 x 196 results
# (10-39M), 1.18-2.33x from 196 x 784)
_MIN_MACS = 2**23
_MIN_ENTRIES = 2**16
_kernel = 'auto'


def use_cpu_kernel(kernel: str) -> None:
    """Runs the attention's large fp32 CPU products on ``'blas'``,
    ``'onednn'`` or, by default, as :func:`onednn_is_faster` says
    (``'auto'``)."""
    global _kernel
    if kernel not in CPU_KERNELS:
        raise ValueError(
            f'kernel must be one of {list(CPU_KERNELS)}, got {kernel!r}')
    _kernel = kernel


def cpuinfo(field: str) -> str:
    """The value of ``field`` (e.g. ``vendor_id``, ``model name``) in
    ``/proc/cpuinfo`` on Linux; empty if unknown."""
    try:
        with open('/proc/cpuinfo') as lines:
            for line in lines:
                if line.split(':', 1)[0].strip() == field:
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return ''


@functools.lru_cache(maxsize=None)
def onednn_is_faster() -> bool:
    """Whether this CPU has AVX-512 (as ATen detects it) and is not Intel's:
    MKL then runs its AVX2 code, oneDNN its AVX-512 code."""
    vendor = cpuinfo('vendor_id')
    return (torch.backends.cpu.get_cpu_capability() == 'AVX512'
            and vendor not in ('', 'GenuineIntel'))


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


def _goes_to_onednn(rows: int, inner: int, cols: int, *operands:
                    torch.Tensor) -> bool:
    """Whether products of ``(rows, inner) x (inner, cols)`` matrices go to
    oneDNN: at least :data:`_MIN_MACS` multiply-adds and :data:`_MIN_ENTRIES`
    result entries each, and :func:`onednn_runs`."""
    return (rows * inner * cols >= _MIN_MACS and rows * cols >= _MIN_ENTRIES
            and onednn_runs(*operands))


def _conv_bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a (B, M, K) @ b (B, K, N) -> (B, M, N)``, each product a 1x1
    convolution of ``b`` read as ``K`` channels of length ``N`` by ``M``
    filters ``a``; both contiguous. One convolution per matrix: as one
    grouped convolution, ``M`` of 4, 8 or 12 mod 16 ran 2.5-5x slower (2 x
    1044 x 512 x 784 on the AMD EPYC)."""
    # (1, K, N) * (M, K, 1) -> (1, M, N)
    outs = [F.conv1d(b[i:i + 1], a[i].unsqueeze(-1)) for i in range(len(a))]
    return outs[0] if len(outs) == 1 else torch.cat(outs)


def _bmm_on_onednn(a: torch.Tensor, b: torch.Tensor) -> bool:
    """Whether ``a (B, M, K) @ b (B, K, N)`` goes to oneDNN."""
    return _goes_to_onednn(a.shape[1], a.shape[2], b.shape[2], a, b)


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
    if not _bmm_on_onednn(a, b):
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
    if not _bmm_on_onednn(a, b):
        return out.baddbmm_(a, b)
    return out.add_(bmm(a, b))


def baddbmm(bias: torch.Tensor, a: torch.Tensor,
            b: torch.Tensor) -> torch.Tensor:
    """``bias + a @ b``, contiguous: ``bias`` broadcasts to ``(B, M, N)``
    (see :func:`bmm`)."""
    if not _bmm_on_onednn(a, b):
        return torch.baddbmm(bias, a, b)
    return bmm(a, b, contiguous=True).add_(bias)


def linear(x: torch.Tensor,
           weight: torch.Tensor,
           bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``F.linear``: ``x (B, S, C_in)``, ``weight (C_out, C_in)`` -> ``(B, S,
    C_out)``; on oneDNN as the 1x1 convolution of ``x^T (B, C_in, S)`` (a
    transposed view of its contiguous result), transposed where ``weight``
    is the transposed view of a contiguous ``(C_in, C_out)`` (no copy)."""
    _, rows, channels = x.shape
    if not _goes_to_onednn(rows, channels, weight.shape[0], x, weight):
        return F.linear(x, weight, bias)
    x_t = x.transpose(1, 2)  # (B, C_in, S)
    if weight.t().is_contiguous():  # (C_in, C_out, 1) -> (B, C_out, S)
        out = F.conv_transpose1d(x_t, weight.t().unsqueeze(-1), bias)
    else:  # (C_out, C_in, 1) -> (B, C_out, S)
        out = F.conv1d(x_t, weight.unsqueeze(-1), bias)
    return out.transpose(1, 2)
