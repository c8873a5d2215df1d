"""What the benchmarks of ``tools/analysis`` share: MMAction2's stock NL-I3D
and ours with the same weights, synthetic clips, timing and memory
measurement."""
from .measure import (PeakRSS, machine_line, median, ratio_cell, run_child,
                      time_cell)
from .stock_models import (MODES, build_model, clip_batch, model_config,
                           perturb_weights)
from .table import print_table

__all__ = [
    'PeakRSS', 'machine_line', 'median', 'print_table', 'ratio_cell',
    'run_child', 'time_cell', 'MODES', 'build_model', 'clip_batch',
    'model_config', 'perturb_weights'
]
