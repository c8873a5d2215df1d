"""Visualising what non-local blocks attend to (paper Figures 1 and 3).

Nothing here is registered; ``tools/visualize_attention.py`` is the command
line.
"""
from .attention import (attention_maps, concentration, most_concentrated,
                        neighbourhood_masks, sample_positions, top_keys)
from .capture import capture_input, non_local_blocks, select_block
from .geometry import GridMapping, check_stride, grid_mapping
from .model_input import ModelInput, load_model, prepare_input
from .rendering import QueryView, animation_frames, grid_image
from .report import AttentionReport, explain_block, report_dict, write_report
from .strides import block_stride
from .visualize import visualize_attention

__all__ = [
    'attention_maps', 'concentration', 'most_concentrated',
    'neighbourhood_masks', 'sample_positions', 'top_keys', 'capture_input',
    'non_local_blocks', 'select_block', 'GridMapping', 'grid_mapping',
    'check_stride', 'block_stride', 'ModelInput', 'load_model',
    'prepare_input', 'QueryView', 'animation_frames', 'grid_image',
    'AttentionReport', 'explain_block', 'report_dict', 'write_report',
    'visualize_attention'
]
