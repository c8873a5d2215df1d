"""What a non-local block attends to: queries, weights, top keys, and the
files.

:func:`explain_block` computes everything from a block and its captured input;
:func:`write_report` draws it (PNG grid, GIF) and saves a JSON summary.
"""
import json
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..blocks import NonLocalBlockNd
from .attention import (attention_maps, grid_3d, most_concentrated,
                        neighbourhood_masks, query_grid, top_keys)
from .geometry import Cell, GridMapping, grid_mapping
from .rendering import (QueryView, animation_frames, grid_image, save_gif,
                        save_png)


@dataclass
class AttentionReport:
    """Attention of one block for some queries, mapped to the input clip.

    Args:
        block_name: Name of the block in its backbone.
        mode: Pairwise function of the block.
        neighbourhood: The block's neighbourhood.
        query_map: Query grid -> input mapping.
        key_map: Key grid -> input mapping (coarser when keys are sub-sampled).
        views: Per query: cell, weights over the key grid, top key cells.
        top_weights: Per query: the weights of its top keys.
    """

    block_name: str
    mode: str
    neighbourhood: str
    query_map: GridMapping
    key_map: GridMapping
    views: List[QueryView]
    top_weights: List[List[float]]


def key_kernel(block: NonLocalBlockNd) -> Cell:
    """``(t, y, x)`` pooling kernel between the block's query and key grids."""
    return grid_3d(block.pool_kernel) if block.sub_sample else (1, 1, 1)


def explain_block(block: NonLocalBlockNd,
                  block_name: str,
                  x: torch.Tensor,
                  input_size: Sequence[int],
                  stride: Sequence[int],
                  queries: Optional[Sequence[Cell]] = None,
                  num_auto: int = 3,
                  topk: int = 20,
                  budget: int = 256) -> AttentionReport:
    """Attention of ``queries`` (or the most concentrated ones) of ``block``.

    Args:
        block: A 2D or 3D non-local block.
        block_name (str): Its name, for the report.
        x (Tensor): Its input ``(N, C, *grid)``; the first sample is used.
        input_size: ``(T, H, W)`` of the model input ``x`` was computed from.
        stride: ``(s_t, s_y, s_x)`` input units per cell of ``x``'s grid
            (:func:`.strides.block_stride` reads it from the backbone).
        queries: Query cells ``(t, y, x)``; ``None`` picks ``num_auto`` of the
        most
            concentrated among about ``budget`` sampled positions.
        num_auto (int): Queries to pick when ``queries`` is None.
        topk (int): Top keys per query.
        budget (int): Sampled positions for the automatic choice.
    """
    query_map = grid_mapping(input_size, query_grid(block, x), stride)
    if queries is None:
        queries = most_concentrated(block, x, num_auto, budget)
    queries = [tuple(int(c) for c in q) for q in queries]
    if not queries:
        raise ValueError('queries is empty: pass query cells, or None for the '
                         'automatic choice')
    weights = attention_maps(block, x, queries)  # (Q, T_k, H_k, W_k)
    key_grid = tuple(weights.shape[1:])
    key_map = query_map.pooled(key_kernel(block), key_grid)
    values, cells = top_keys(weights,
                             neighbourhood_masks(block, queries, key_grid),
                             topk)
    views = [
        QueryView(q,
                  w.cpu().numpy(), c)
        for q, w, c in zip(queries, weights, cells)
    ]
    return AttentionReport(block_name, block.mode, block.neighbourhood,
                           query_map, key_map, views,
                           values.cpu().tolist())


def report_dict(report: AttentionReport) -> Dict:
    """JSON-ready summary: grids, strides, and per query its top keys in input
    units."""
    queries = []
    for view, weights in zip(report.views, report.top_weights):
        queries.append(
            dict(
                cell=list(view.cell),
                input_box=[list(r) for r in report.query_map.box(view.cell)],
                input_centre=list(report.query_map.centre(view.cell)),
                top_keys=[
                    dict(
                        cell=list(cell),
                        weight=w,
                        input_centre=list(report.key_map.centre(cell)))
                    for cell, w in zip(view.top, weights)
                ]))
    return dict(
        block=report.block_name,
        mode=report.mode,
        neighbourhood=report.neighbourhood,
        input_size=list(report.query_map.input_size),
        query_grid=list(report.query_map.grid_size),
        query_stride=list(report.query_map.stride),
        key_grid=list(report.key_map.grid_size),
        key_stride=list(report.key_map.stride),
        queries=queries)


def write_report(report: AttentionReport,
                 frames: np.ndarray,
                 out_dir: str,
                 panel_size: int = 256,
                 frame_ms: int = 250) -> Dict[str, str]:
    """Writes ``attention_<block>.png``, ``.gif`` and ``.json`` into
    ``out_dir``.

    Args:
        report: From :func:`explain_block`.
        frames (ndarray): ``(T, H, W, 3)`` uint8 RGB input frames, ``(T, H,
            W)`` equal to the report's input size.
        out_dir (str): Created if missing.
        panel_size (int): Longer side of one panel in pixels.
        frame_ms (int): GIF frame duration.

    Returns:
        dict: ``png``, ``gif`` and ``json`` paths.
    """
    if tuple(frames.shape) != tuple(report.query_map.input_size) + (3, ):
        raise ValueError(
            f'frames of shape {frames.shape} do not match the input size '
            f'{report.query_map.input_size} (expected (T, H, W, 3))')
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.join(out_dir,
                        'attention_' + report.block_name.replace('.', '_'))
    paths = dict(png=stem + '.png', gif=stem + '.gif', json=stem + '.json')
    save_png(
        grid_image(frames, report.views, report.query_map, report.key_map,
                   panel_size), paths['png'])
    save_gif(
        animation_frames(frames, report.views, report.query_map,
                         report.key_map, panel_size), paths['gif'], frame_ms)
    with open(paths['json'], 'w', encoding='utf-8') as f:
        json.dump(report_dict(report), f, indent=2)
    return paths
