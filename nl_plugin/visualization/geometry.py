"""Where the cells of a non-local block's grid lie in the input clip.

A backbone downsamples its input ``(T, H, W)`` by an integer stride per axis,
so cell ``(t, y, x)`` of a feature grid *tiles* the input box
``[t*s_t, (t+1)*s_t) x [y*s_y, (y+1)*s_y) x [x*s_x, (x+1)*s_x)``, clipped to
the input. Keys of a sub-sampling block lie on a coarser grid: max-pooling with
kernel (= stride) ``k`` makes a key cell tile ``k`` query cells, i.e. ``k * s``
input units.

Images are clips of one frame: their grids are ``(1, H, W)`` with temporal
stride 1.
"""
import math
from dataclasses import dataclass
from typing import Sequence, Tuple

import numpy as np

Cell = Tuple[int, int, int]
Box = Tuple[Tuple[int, int], Tuple[int, int], Tuple[int, int]]
AXES = ('time', 'height', 'width')


def infer_stride(input_len: int, grid_len: int, axis: str = 'axis') -> int:
    """Integer stride that turns ``input_len`` input units into ``grid_len``
    cells.

    Strided convolutions with padding round up (``ceil``), pooling without
    padding rounds down (``floor``); a stride fits if either rounding gives
    ``grid_len``. Among the (at most two) integers nearest to ``input_len /
    grid_len`` a power of two wins, then the smaller one.

    Raises:
        ValueError: if ``grid_len`` exceeds ``input_len`` or no integer stride
        fits.
    """
    if not 1 <= grid_len <= input_len:
        raise ValueError(
            f'{axis}: a grid of {grid_len} cells cannot come from an input '
            f'of {input_len} by downsampling')
    ratio = input_len / grid_len
    candidates = sorted({max(1, math.floor(ratio)),
                         math.ceil(ratio)},
                        key=lambda s: (s & (s - 1) != 0, s))
    for stride in candidates:
        if grid_len in (math.ceil(input_len / stride), input_len // stride):
            return stride
    raise ValueError(
        f'{axis}: no integer stride maps an input of {input_len} onto '
        f'{grid_len} cells (tried {candidates})')


@dataclass(frozen=True)
class GridMapping:
    """Maps cells of a ``(T, H, W)`` feature grid to the input clip they tile.

    Args:
        input_size: ``(T, H, W)`` of the input clip (frames, rows, columns).
        grid_size: ``(T', H', W')`` of the feature grid.
        stride: input units per cell along each axis.
    """

    input_size: Cell
    grid_size: Cell
    stride: Cell

    def __post_init__(self):
        for name, value in (('input_size', self.input_size),
                            ('grid_size', self.grid_size), ('stride',
                                                            self.stride)):
            if len(value) != 3 or not all(
                    isinstance(v, int) and v >= 1 for v in value):
                raise ValueError(f'{name} must be 3 positive ints (T, H, W), '
                                 f'got {value!r}')

    def _check_cell(self, cell: Sequence[int]) -> None:
        if len(cell) != 3 or not all(0 <= c < s
                                     for c, s in zip(cell, self.grid_size)):
            raise ValueError(
                f'cell {tuple(cell)} is outside the grid {self.grid_size}')

    def box(self, cell: Sequence[int]) -> Box:
        """Half-open input ranges ``((t0, t1), (y0, y1), (x0, x1))`` tiled by
        ``cell``.

        A cell past the input edge (rounding up) gets an empty range at the
        edge.
        """
        self._check_cell(cell)
        return tuple((min(c * s, n), min((c + 1) * s, n))
                     for c, s, n in zip(cell, self.stride, self.input_size))

    def centre(self, cell: Sequence[int]) -> Tuple[float, float, float]:
        """Centre ``(t, y, x)`` of the cell's box, in input index units."""
        return tuple((lo + max(hi - 1, lo)) / 2 for lo, hi in self.box(cell))

    def cell_of(self, position: Sequence[int]) -> Cell:
        """The cell whose box holds input position ``(t, y, x)``."""
        if len(position) != 3 or not all(
                0 <= p < n for p, n in zip(position, self.input_size)):
            raise ValueError(
                f'position {tuple(position)} is outside the input '
                f'{self.input_size}')
        cell = tuple(p // s for p, s in zip(position, self.stride))
        if not all(c < g for c, g in zip(cell, self.grid_size)):
            raise ValueError(
                f'position {tuple(position)} lies in no cell of the grid '
                f'{self.grid_size} (dropped by floor rounding)')
        return cell

    def upsample(self, values: np.ndarray) -> np.ndarray:
        """Tiles ``(T', H', W')`` cell values over the input: ``-> (T, H, W)``.

        Input positions that no cell covers (floor rounding) get 0.
        """
        if tuple(values.shape) != self.grid_size:
            raise ValueError(
                f'values of shape {values.shape} do not match the grid '
                f'{self.grid_size}')
        tiled = values
        for axis, stride in enumerate(self.stride):
            tiled = np.repeat(
                tiled, stride, axis=axis)  # (T'*s_t, H'*s_y, W'*s_x)
        out = np.zeros(self.input_size, dtype=values.dtype)
        t, h, w = (min(a, b) for a, b in zip(tiled.shape, self.input_size))
        out[:t, :h, :w] = tiled[:t, :h, :w]
        return out

    def pooled(self, kernel: Sequence[int],
               pooled_size: Sequence[int]) -> 'GridMapping':
        """Mapping of the grid max-pooled with ``kernel`` (= stride), e.g. the
        keys.

        Raises:
            ValueError: if ``pooled_size`` is not what the pooling gives.
        """
        kernel, pooled_size = tuple(kernel), tuple(pooled_size)
        expected = tuple(g // k for g, k in zip(self.grid_size, kernel))
        if pooled_size != expected:
            raise ValueError(
                f'pooling the grid {self.grid_size} with kernel {kernel} '
                f'gives {expected}, not {pooled_size}')
        return GridMapping(self.input_size, pooled_size,
                           tuple(s * k for s, k in zip(self.stride, kernel)))


def grid_mapping(input_size: Sequence[int],
                 grid_size: Sequence[int]) -> GridMapping:
    """:class:`GridMapping` whose strides are inferred with
    :func:`infer_stride`."""
    input_size, grid_size = tuple(input_size), tuple(grid_size)
    if len(input_size) != 3 or len(grid_size) != 3:
        raise ValueError(f'input_size and grid_size must be (T, H, W), got '
                         f'{input_size} and {grid_size}')
    stride = tuple(
        infer_stride(n, g, axis)
        for n, g, axis in zip(input_size, grid_size, AXES))
    return GridMapping(input_size, grid_size, stride)
