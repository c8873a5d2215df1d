"""Peak memory and timing statistics of the benchmarks.

CPU peak memory is the peak resident memory above the start of a measured
span, sampled every millisecond by a thread (torch releases the GIL while it
computes). Run the measured process with ``MALLOC_MMAP_THRESHOLD_`` fixed
(:data:`FIXED_MMAP_ENV`): glibc then returns every freed large block to the
OS, so resident memory follows the live tensors.

Times run under glibc's defaults, as users train, unless asked to keep the
heap (:data:`KEPT_HEAP_ENV`): freed memory then stays mapped for reuse, so
a repeated call page-faults nothing, as under a caching allocator (jemalloc,
tcmalloc). On VMs where a page fault is dear, the two separate what the
kernels cost from what fresh memory costs.
"""
import json
import os
import platform
import resource
import subprocess
import threading
from statistics import median
from typing import Sequence

FIXED_MMAP_ENV = {'MALLOC_MMAP_THRESHOLD_': '131072'}
# glibc's largest mmap threshold (32 MB), no trimming, 256 MB of top padding
KEPT_HEAP_ENV = {
    'MALLOC_MMAP_THRESHOLD_': str(32 * 2**20),
    'MALLOC_TRIM_THRESHOLD_': str(2**40),
    'MALLOC_TOP_PAD_': str(256 * 2**20),
}

HEAP_ENVS = dict(default={}, fixed_mmap=FIXED_MMAP_ENV, kept=KEPT_HEAP_ENV)


def cpu_name() -> str:
    """The CPU's model name, else the platform's processor or machine."""
    from ...blocks.products import cpuinfo
    return (cpuinfo('model name') or platform.processor()
            or platform.machine())


def machine_line(threads: int, device: str = 'cpu') -> str:
    """``# CPU, cores, torch, threads, device; the CPU product kernel; load
    average``: the header line of every benchmark (the kernel that
    :mod:`nl_plugin.blocks.products` picks by default on this CPU)."""
    import torch

    from ...blocks.products import onednn_is_faster
    kernel = 'oneDNN' if onednn_is_faster() else 'BLAS'
    load = ', '.join(f'{v:.2f}' for v in os.getloadavg())
    return (f'# {cpu_name()}, {os.cpu_count()} cores, torch '
            f'{torch.__version__}, {threads} threads, {device}; large fp32 '
            f'CPU products on {kernel}; load average (1, 5, 15 min) {load}')


def run_child(cmd: Sequence[str], heap: str = 'default'):
    """Runs the benchmark child ``cmd`` with glibc's allocator as ``heap``
    says (:data:`HEAP_ENVS`): its defaults, its mmap threshold fixed
    (``fixed_mmap``: for memory, never for times, since every large
    allocation then page-faults) or freed memory kept (``kept``: for times
    without page faults). Returns the value of its last JSON line of stdout
    (``None`` if it printed none, e.g. killed) and the finished process."""
    if heap not in HEAP_ENVS:
        raise ValueError(
            f'run_child: heap must be one of {list(HEAP_ENVS)}, got {heap!r}')
    env = dict(os.environ, **HEAP_ENVS[heap])
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    json_start = ('{', '[')
    lines = [
        ln for ln in proc.stdout.splitlines() if ln.startswith(json_start)
    ]
    return (json.loads(lines[-1]) if lines else None), proc


def _rss_mb() -> float:
    """Resident memory of this process now."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


class PeakRSS:
    """Peak resident memory above the start of the ``with`` span (MB)."""

    def __enter__(self):
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.001):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def growth_mb(self) -> float:
        return self.peak - self.start


def _number(value: float) -> str:
    return f'{value:.0f}' if value >= 100 else f'{value:.3g}'


def time_cell(seconds: Sequence[float], unit: float = 1.0) -> str:
    """``median (min-max)`` of ``seconds / unit``."""
    values = [s / unit for s in seconds]
    return (f'{_number(median(values))} ({_number(min(values))}-'
            f'{_number(max(values))})')


def ratio_cell(ref: Sequence[float], ours: Sequence[float]) -> str:
    """``ref / ours`` per paired run (measured back to back): median and
    range, e.g. ``1.12x (1.05-1.20)``."""
    ratios = [r / o for r, o in zip(ref, ours)]
    return f'{median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f})'
