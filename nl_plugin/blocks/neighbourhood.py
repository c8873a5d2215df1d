"""Which positions each query of a non-local block attends to.

A neighbourhood turns a ``(N, C, *grid)`` feature map into ``(B, P, C)``
groups: every query attends to the keys of its own group.

* ``spacetime``: one group per sample, all positions (1D, 2D and 3D);
* ``space``: one group per frame (3D only), each frame attends within itself;
* ``time``: one group per spatial location (3D only), attending across frames;
* ``grouped_time``: one group per run of ``group_size`` consecutive frames (3D
  only), each query attending to every position of its run, as the official
  code's ``add_nonlocal_group`` (res3 of the released frozen-BN models,
  ``group_size=4``). It costs ``T / group_size`` times less than
  ``spacetime`` in the pairwise term.
"""
import math
from typing import Optional, Tuple

import torch

NEIGHBOURHOODS = ('spacetime', 'space', 'time', 'grouped_time')


def check_group_size(neighbourhood: str, group_size: Optional[int]) -> None:
    """Raises unless ``group_size`` is a positive int exactly for
    ``grouped_time``."""
    if neighbourhood != 'grouped_time':
        if group_size is not None:
            raise ValueError(
                "group_size applies only to neighbourhood='grouped_time', "
                f'got group_size={group_size!r} with {neighbourhood!r}')
        return
    if isinstance(group_size,
                  bool) or not isinstance(group_size, int) or group_size < 1:
        raise ValueError("neighbourhood='grouped_time' needs group_size, a "
                         f'positive int, got {group_size!r}')


def check_grid(grid: Tuple[int, ...], neighbourhood: str,
               group_size: Optional[int]) -> None:
    """Raises if ``grouped_time`` cannot split the frames of ``grid``."""
    if neighbourhood == 'grouped_time':
        _num_groups(grid[0], group_size)


def _num_groups(frames: int, group_size: int) -> int:
    if frames % group_size:
        raise ValueError(
            f"neighbourhood='grouped_time' splits the {frames} frames of the "
            f'block input into runs of group_size={group_size}: the number of '
            'frames must be a multiple of group_size')
    return frames // group_size


def pairs_per_sample(grid: Tuple[int, ...],
                     key_grid: Tuple[int, ...],
                     neighbourhood: str,
                     group_size: Optional[int] = None) -> int:
    """Number of (query, key) pairs of one sample: queries of ``grid``, keys
    of ``key_grid``."""
    pairs = math.prod(grid) * math.prod(key_grid)
    if neighbourhood == 'spacetime':
        return pairs
    t, h, w = grid
    if neighbourhood == 'space':
        return pairs // t
    if neighbourhood == 'time':
        return pairs // (h * w)
    return pairs // _num_groups(t, group_size)


def group(x: torch.Tensor,
          neighbourhood: str,
          group_size: Optional[int] = None) -> torch.Tensor:
    """``(N, C, *grid)`` -> ``(B, P, C)`` query/key groups."""
    n, c = x.shape[:2]
    if neighbourhood == 'spacetime':
        return x.flatten(2).transpose(1, 2)  # (N, THW, C)
    _, _, t, h, w = x.shape
    if neighbourhood == 'space':
        return x.permute(0, 2, 3, 4, 1).reshape(n * t, h * w, c)  # (NT, HW, C)
    if neighbourhood == 'grouped_time':
        g = _num_groups(t, group_size)
        # (N, C, G, k, H, W) -> (N, G, k, H, W, C) -> (NG, kHW, C)
        return x.reshape(n, c, g, group_size, h,
                         w).permute(0, 2, 3, 4, 5,
                                    1).reshape(n * g, group_size * h * w, c)
    return x.permute(0, 3, 4, 2, 1).reshape(n * h * w, t, c)  # (NHW, T, C)


def ungroup(y: torch.Tensor,
            neighbourhood: str,
            grid: Tuple[int, ...],
            group_size: Optional[int] = None) -> torch.Tensor:
    """Inverse of :func:`group` for a query grid of shape ``grid``: -> ``(N, C,
    *grid)``."""
    c = y.shape[-1]
    if neighbourhood == 'spacetime':
        return y.transpose(1, 2).reshape(-1, c, *grid)
    t, h, w = grid
    if neighbourhood == 'space':
        return y.reshape(-1, t, h, w, c).permute(0, 4, 1, 2, 3)
    if neighbourhood == 'grouped_time':
        # (NG, kHW, C) -> (N, G, k, H, W, C) -> (N, C, G, k, H, W)
        y = y.reshape(-1, t // group_size, group_size, h, w,
                      c).permute(0, 5, 1, 2, 3, 4)
        return y.reshape(-1, c, t, h, w)
    return y.reshape(-1, h, w, t, c).permute(0, 4, 3, 1, 2)


def key_mask(query: Tuple[int, ...],
             key_grid: Tuple[int, ...],
             neighbourhood: str,
             device=None,
             group_size: Optional[int] = None) -> torch.Tensor:
    """Boolean ``key_grid`` mask of the keys that the query at ``query``
    attends to.

    Only meaningful without spatial subsampling for ``time``; for ``space`` and
    ``grouped_time`` the frame index is shared by queries and (spatially
    pooled) keys.
    """
    mask = torch.zeros(key_grid, dtype=torch.bool, device=device)
    if neighbourhood == 'spacetime':
        mask[...] = True
    elif neighbourhood == 'space':
        mask[query[0]] = True
    elif neighbourhood == 'grouped_time':
        start = query[0] - query[0] % group_size
        mask[start:start + group_size] = True
    else:
        mask[:, query[1], query[2]] = True
    return mask
