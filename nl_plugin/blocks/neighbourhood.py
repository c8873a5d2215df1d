"""Which positions each query of a non-local block attends to.

A neighbourhood turns a ``(N, C, *grid)`` feature map into ``(B, P, C)``
groups: every query attends to the keys of its own group.

* ``spacetime``: one group per sample, all positions (1D, 2D and 3D);
* ``space``: one group per frame (3D only), each frame attends within itself;
* ``time``: one group per spatial location (3D only), attending across frames.
"""
from typing import Tuple

import torch

NEIGHBOURHOODS = ('spacetime', 'space', 'time')


def group(x: torch.Tensor, neighbourhood: str) -> torch.Tensor:
    """``(N, C, *grid)`` -> ``(B, P, C)`` query/key groups."""
    n, c = x.shape[:2]
    if neighbourhood == 'spacetime':
        return x.flatten(2).transpose(1, 2)  # (N, THW, C)
    _, _, t, h, w = x.shape
    if neighbourhood == 'space':
        return x.permute(0, 2, 3, 4, 1).reshape(n * t, h * w, c)  # (NT, HW, C)
    return x.permute(0, 3, 4, 2, 1).reshape(n * h * w, t, c)  # (NHW, T, C)


def ungroup(y: torch.Tensor, neighbourhood: str,
            grid: Tuple[int, ...]) -> torch.Tensor:
    """Inverse of :func:`group` for a query grid of shape ``grid``: -> ``(N, C,
    *grid)``."""
    c = y.shape[-1]
    if neighbourhood == 'spacetime':
        return y.transpose(1, 2).reshape(-1, c, *grid)
    t, h, w = grid
    if neighbourhood == 'space':
        return y.reshape(-1, t, h, w, c).permute(0, 4, 1, 2, 3)
    return y.reshape(-1, h, w, t, c).permute(0, 4, 3, 1, 2)


def key_mask(query: Tuple[int, ...],
             key_grid: Tuple[int, ...],
             neighbourhood: str,
             device=None) -> torch.Tensor:
    """Boolean ``key_grid`` mask of the keys that the query at ``query``
    attends to.

    Only meaningful without spatial subsampling for ``time``; for ``space`` the
    frame index is shared by queries and (spatially pooled) keys.
    """
    mask = torch.zeros(key_grid, dtype=torch.bool, device=device)
    if neighbourhood == 'spacetime':
        mask[...] = True
    elif neighbourhood == 'space':
        mask[query[0]] = True
    else:
        mask[:, query[1], query[2]] = True
    return mask
