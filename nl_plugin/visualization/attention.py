"""Attention of chosen queries of a non-local block, on a common ``(T, H, W)``
grid.

Wraps :meth:`NonLocalBlockNd.attention_weights` (which never forms the ``N x
N`` matrix) for 2D and 3D blocks alike: an image is a clip of one frame, so
every cell here is ``(t, y, x)`` and a 2D block's cells have ``t = 0``. Also
ranks keys (top-k) and queries (how concentrated their attention is, for
``--auto``).
"""
import math
from typing import List, Sequence, Tuple

import torch

from ..blocks import NonLocalBlockNd
from ..blocks.neighbourhood import key_mask
from .geometry import Cell


def _check_dims(block: NonLocalBlockNd) -> None:
    if block.dims not in (2, 3):
        raise ValueError(
            f'{type(block).__name__} has {block.dims} grid dimension(s); '
            'attention maps are drawn for 2D (image) and 3D (clip) blocks')


def grid_3d(shape: Sequence[int]) -> Cell:
    """``(H, W)`` or ``(T, H, W)`` grid shape -> ``(T, H, W)`` (``T = 1`` for
    images)."""
    shape = tuple(int(s) for s in shape)
    return (1, ) + shape if len(shape) == 2 else shape


def block_cell(block: NonLocalBlockNd, cell: Sequence[int]) -> Tuple[int, ...]:
    """A ``(t, y, x)`` cell in the block's own coordinates (drops ``t = 0`` in
    2D)."""
    _check_dims(block)
    cell = tuple(int(c) for c in cell)
    if len(cell) != 3:
        raise ValueError(f'cell must be (t, y, x), got {cell}')
    if block.dims == 2:
        if cell[0] != 0:
            raise ValueError(
                f'cell {cell}: a 2D block has one frame, so t must be 0')
        return cell[1:]
    return cell


def query_grid(block: NonLocalBlockNd, x: torch.Tensor) -> Cell:
    """``(T, H, W)`` query grid of the block for its input ``x (N, C,
    *grid)``."""
    _check_dims(block)
    block.check_input(x)
    return grid_3d(x.shape[2:])


def attention_maps(block: NonLocalBlockNd, x: torch.Tensor,
                   queries: Sequence[Cell]) -> torch.Tensor:
    """Normalised weights of ``queries`` for the first sample of ``x``.

    Args:
        block: A 2D or 3D non-local block.
        x (Tensor): The block's input ``(N, C, *grid)``.
        queries: ``Q`` cells ``(t, y, x)`` of the query grid.

    Returns:
        Tensor: ``(Q, T_k, H_k, W_k)`` float32 weights over the key grid, on
        the CPU.
    """
    query_grid(block, x)
    cells = [block_cell(block, q) for q in queries]
    weights = block.attention_weights(x[:1], cells)[0]  # (Q, *key_grid)
    return weights.float().cpu().reshape(
        len(cells), *grid_3d(weights.shape[1:]))


def neighbourhood_masks(block: NonLocalBlockNd, queries: Sequence[Cell],
                        key_grid: Cell) -> torch.Tensor:
    """``(Q, T_k, H_k, W_k)`` booleans: the keys each query may attend to."""
    own_grid = key_grid if block.dims == 3 else key_grid[1:]
    masks = [
        key_mask(
            block_cell(block, q),
            own_grid,
            block.neighbourhood,
            group_size=block.group_size) for q in queries
    ]
    return torch.stack(masks).reshape(len(queries), *key_grid)


def top_keys(weights: torch.Tensor, masks: torch.Tensor,
             k: int) -> Tuple[torch.Tensor, List[List[Cell]]]:
    """The ``k`` highest weights of each query among its neighbourhood.

    Args:
        weights (Tensor): ``(Q, T_k, H_k, W_k)``.
        masks (Tensor): Same shape, booleans (see :func:`neighbourhood_masks`).
        k (int): Keys per query; capped by the neighbourhood size.

    Returns:
        ``(Q, k')`` weights in descending order and, per query, their key
        cells.
    """
    if k < 1:
        raise ValueError(f'k (top-k keys) must be positive, got {k}')
    key_grid = weights.shape[1:]
    k = min(k, int(masks.flatten(1).sum(1).min()))
    flat = weights.flatten(1).masked_fill(~masks.flatten(1),
                                          float('-inf'))  # (Q, S)
    values, index = flat.topk(k, dim=1)  # (Q, k)
    cells = [[
        tuple(int(c) for c in torch.unravel_index(i, key_grid)) for i in row
    ] for row in index]
    return values, cells


def concentration(weights: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Entropy of each query's attention (lower = more concentrated): ``(Q,
    )``.

    Weights are compared as ``|w| / sum |w|`` over the neighbourhood, which is
    the softmax itself for the Gaussians and the normalised weights' shares for
    dot product (signed) and concatenation. All-zero attention counts as
    uniform.
    """
    magnitude = (weights.abs() * masks).flatten(1).double()  # (Q, S)
    total = magnitude.sum(1, keepdim=True)
    p = magnitude / total.clamp_min(torch.finfo(torch.float64).tiny)
    entropy = -(p * p.clamp_min(1e-300).log()).sum(1)
    uniform = masks.flatten(1).sum(1).double().log()
    return torch.where(total.squeeze(1) > 0, entropy, uniform)


def sample_positions(grid: Cell, budget: int) -> List[Cell]:
    """About ``budget`` cells on a centred lattice with one step on every
    axis."""
    if budget < 1:
        raise ValueError(f'budget (sampled query positions) must be positive, '
                         f'got {budget}')
    step = max(1,
               math.ceil((math.prod(grid) / budget)**(1 / len(grid)) - 1e-9))
    axes = [
        range((n - 1 - (n - 1) // step * step) // 2, n, step) for n in grid
    ]
    return [(t, y, x) for t in axes[0] for y in axes[1] for x in axes[2]]


def most_concentrated(block: NonLocalBlockNd,
                      x: torch.Tensor,
                      num: int,
                      budget: int = 256,
                      chunk: int = 64) -> List[Cell]:
    """The ``num`` sampled queries with the most concentrated attention.

    Args:
        block: The non-local block.
        x (Tensor): Its input ``(N, C, *grid)`` (first sample used).
        num (int): Queries to return, most concentrated first (ties: grid
            order).
        budget (int): About how many query positions to sample.
        chunk (int): Queries per call of ``attention_weights`` (bounds memory).
    """
    if num < 1:
        raise ValueError(f'num (queries to pick) must be positive, got {num}')
    candidates = sample_positions(query_grid(block, x), budget)
    scores = []
    for start in range(0, len(candidates), chunk):
        part = candidates[start:start + chunk]
        weights = attention_maps(block, x, part)  # (q, T_k, H_k, W_k)
        masks = neighbourhood_masks(block, part, tuple(weights.shape[1:]))
        scores.append(concentration(weights, masks))
    order = torch.cat(scores).argsort(stable=True)[:num]
    return [candidates[i] for i in order.tolist()]
