"""Drawing attention maps over input frames: a PNG grid and an animated GIF.

Layout (sizes exact, so callers and tests can rely on them):

* a *panel* is one input frame resized so that its longer side is
  ``panel_size`` pixels, under a caption strip of :data:`CAPTION` pixels;
* the PNG has one row per query and one column per temporal slice of the key
  grid (the slice's middle input frame is shown); the GIF has one frame per
      input frame
  and one panel per query;
* panels are separated and framed by :data:`GAP` pixels.

On a panel, the weights of the keys are a heat map tiled over the input pixels
they stand for, with one colour scale per query shared by all its frames (see
:func:`colour_scale`; a zero weight leaves the frame as it is), the top-k keys
are circles (the strongest one thicker), and the query's cell is a red box with
a cross. The caption gives the query, the frame and the weight range of the
colour scale.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import matplotlib
import numpy as np
from PIL import Image, ImageDraw

from .geometry import Box, Cell, GridMapping

GAP = 4
CAPTION = 14
BACKGROUND = (255, 255, 255)
KEY_COLOUR = (0, 255, 0)
QUERY_COLOUR = (255, 0, 0)
MAX_ALPHA = 0.6

RankedKey = Tuple[int,
                  Tuple[float,
                        float]]  # (rank among the top keys, (y, x) centre)


@dataclass
class QueryView:
    """What to draw for one query.

    Args:
        cell: The query's cell on the query grid.
        weights: ``(T_k, H_k, W_k)`` normalised weights over the key grid.
        top: The top-k key cells, strongest first.
    """

    cell: Cell
    weights: np.ndarray
    top: List[Cell]


def panel_shape(height: int, width: int, panel_size: int) -> Tuple[int, int]:
    """``(h, w)`` of a frame of ``height x width`` with its longer side
    ``panel_size``."""
    if panel_size < 1:
        raise ValueError(f'panel_size must be positive, got {panel_size}')
    scale = panel_size / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


@dataclass(frozen=True)
class ColourScale:
    """Weights ``lo`` .. ``hi`` span the colour map; ``signed`` means
    diverging."""

    lo: float
    hi: float
    signed: bool


def colour_scale(weights: np.ndarray) -> ColourScale:
    """Colour scale of one query's weights.

    Signed (dot product) weights: 'coolwarm' over ``[-m, m]``,
    ``m = max |w|``, so white is 0. Non-negative weights: 'jet' from the
    smallest non-zero weight to the largest, so that the near-uniform
    attention of a large neighbourhood still shows its structure (from 0
    when all non-zero weights are equal).
    """
    magnitude = float(np.abs(weights).max())
    if (weights < 0).any():
        return ColourScale(-magnitude, magnitude, True)
    positive = weights[weights > 0]
    lo = float(positive.min()) if positive.size else 0.0
    return ColourScale(lo if lo < magnitude else 0.0, max(magnitude, 1e-12),
                       False)


def heat_overlay(frame: np.ndarray, heat: np.ndarray,
                 scale: ColourScale) -> np.ndarray:
    """Blends weights ``heat (H, W)`` over ``frame (H, W, 3)`` uint8 -> uint8.

    Opacity grows with ``|w|`` (signed) or with the position in the scale; a
    zero weight (outside the neighbourhood, or a rectified concatenation
    weight) is transparent.
    """
    span = max(scale.hi - scale.lo, 1e-12)
    level = np.clip((heat - scale.lo) / span, 0, 1)  # (H, W) in [0, 1]
    if scale.signed:
        colours = matplotlib.colormaps['coolwarm'](level)
        opacity = np.abs(heat) / max(scale.hi, 1e-12)
    else:
        colours = matplotlib.colormaps['jet'](level)
        opacity = 0.25 + 0.75 * level
    alpha = (MAX_ALPHA * np.clip(opacity, 0, 1) *
             (heat != 0))[..., None]  # (H, W, 1)
    blended = frame * (1 - alpha) + colours[..., :3] * 255 * alpha
    return blended.round().astype(np.uint8)


def _to_panel(point: Tuple[float, float], zoom: Tuple[float, float]):
    # input index units (pixel centres) -> panel pixel coordinates
    return ((point[1] + 0.5) * zoom[1], (point[0] + 0.5) * zoom[0])


def _draw_keys(draw: ImageDraw.ImageDraw, keys: Sequence[RankedKey],
               radius: float, zoom: Tuple[float, float]) -> None:
    for rank, centre in sorted(keys, reverse=True):  # the strongest drawn last
        x, y = _to_panel(centre, zoom)
        draw.ellipse((x - radius, y - radius, x + radius, y + radius),
                     outline=KEY_COLOUR,
                     width=3 if rank == 0 else 1)


def _draw_query(draw: ImageDraw.ImageDraw, box: Box,
                zoom: Tuple[float, float]) -> None:
    (_, _), (y0, y1), (x0, x1) = box
    left, top = x0 * zoom[1], y0 * zoom[0]
    right, bottom = x1 * zoom[1] - 1, y1 * zoom[0] - 1
    draw.rectangle((left, top, right, bottom), outline=QUERY_COLOUR, width=2)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    arm = max(3.0, (right - left) / 4)
    draw.line((cx - arm, cy, cx + arm, cy), fill=QUERY_COLOUR, width=2)
    draw.line((cx, cy - arm, cx, cy + arm), fill=QUERY_COLOUR, width=2)


def draw_panel(frame: np.ndarray, heat: np.ndarray, scale: ColourScale,
               keys: Sequence[RankedKey], key_stride: Tuple[int, int],
               query_box: Optional[Box], caption: str,
               panel_size: int) -> Image.Image:
    """One captioned panel: frame, heat map, top-k key circles, query box.

    Args:
        frame (ndarray): ``(H, W, 3)`` uint8 RGB input frame.
        heat (ndarray): ``(H, W)`` weights tiled over the input pixels.
        scale (ColourScale): Colour scale of the query's weights.
        keys: ``(rank, (y, x))`` of the top keys shown here: their rank among
        all
            the query's top keys (0: the strongest, drawn thicker) and
            input-pixel centre.
        key_stride: ``(s_y, s_x)`` input pixels per key cell (sets circle
        size).
        query_box: The query cell's input box, or None when not in this frame.
        caption (str): Text above the panel.
        panel_size (int): Longer side of the panel in pixels.
    """
    height, width = frame.shape[:2]
    ph, pw = panel_shape(height, width, panel_size)
    zoom = (ph / height, pw / width)
    image = Image.fromarray(heat_overlay(frame, heat, scale)).resize(
        (pw, ph), Image.BILINEAR)
    draw = ImageDraw.Draw(image)
    radius = max(
        2.0,
        min(12.0,
            0.35 * min(key_stride[0] * zoom[0], key_stride[1] * zoom[1])))
    _draw_keys(draw, keys, radius, zoom)
    if query_box is not None:
        _draw_query(draw, query_box, zoom)
    panel = Image.new('RGB', (pw, ph + CAPTION), BACKGROUND)
    ImageDraw.Draw(panel).text((1, 1), caption, fill=(0, 0, 0))
    panel.paste(image, (0, CAPTION))
    return panel


def tile(rows: Sequence[Sequence[Image.Image]]) -> Image.Image:
    """Pastes equally sized panels into a grid with :data:`GAP` pixel
    spacing."""
    pw, ph = rows[0][0].size
    cols = max(len(row) for row in rows)
    canvas = Image.new('RGB',
                       (cols * (pw + GAP) + GAP, len(rows) * (ph + GAP) + GAP),
                       BACKGROUND)
    for r, row in enumerate(rows):
        for c, panel in enumerate(row):
            canvas.paste(panel, (GAP + c * (pw + GAP), GAP + r * (ph + GAP)))
    return canvas


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])


def _slice_panel(frames: np.ndarray, view: QueryView, heat: np.ndarray,
                 frame_index: int, query_map: GridMapping,
                 key_map: GridMapping, panel_size: int) -> Image.Image:
    """Panel of input frame ``frame_index`` and the keys of the slice covering
    it.

    ``heat (T, H, W)`` is the query's weights tiled over the input clip.
    """
    key_t = frame_index // key_map.stride[0]
    scale = colour_scale(view.weights)
    keys = [(rank, key_map.centre(cell)[1:])
            for rank, cell in enumerate(view.top) if cell[0] == key_t]
    query_box = query_map.box(view.cell)
    shown = query_box if _overlaps(query_box[0],
                                   (frame_index, frame_index + 1)) else None
    caption = f'q{view.cell} f{frame_index} w {scale.lo:.3g}..{scale.hi:.3g}'
    return draw_panel(frames[frame_index], heat[frame_index], scale, keys,
                      key_map.stride[1:], shown, caption, panel_size)


def grid_image(frames: np.ndarray,
               views: Sequence[QueryView],
               query_map: GridMapping,
               key_map: GridMapping,
               panel_size: int = 256) -> Image.Image:
    """PNG grid: a row per query, a column per temporal slice of the key grid.

    Args:
        frames (ndarray): ``(T, H, W, 3)`` uint8 RGB input clip.
        views: One :class:`QueryView` per query.
        query_map, key_map: Grid -> input mappings of queries and keys.
        panel_size (int): Longer side of a panel in pixels.
    """
    middle_frames = []
    for key_t in range(key_map.grid_size[0]):
        first, last = key_map.box((key_t, 0, 0))[0]
        middle_frames.append(first + (last - first - 1) // 2)
    rows = []
    for view in views:
        heat = key_map.upsample(view.weights)  # (T, H, W)
        rows.append([
            _slice_panel(frames, view, heat, f, query_map, key_map, panel_size)
            for f in middle_frames
        ])
    return tile(rows)


def animation_frames(frames: np.ndarray,
                     views: Sequence[QueryView],
                     query_map: GridMapping,
                     key_map: GridMapping,
                     panel_size: int = 256) -> List[Image.Image]:
    """GIF frames: one per input frame, a panel per query side by side."""
    heats = [key_map.upsample(view.weights) for view in views]  # Q x (T, H, W)
    return [
        tile([[
            _slice_panel(frames, view, heat, f, query_map, key_map, panel_size)
            for view, heat in zip(views, heats)
        ]]) for f in range(frames.shape[0])
    ]


def save_gif(images: Sequence[Image.Image],
             path: str,
             frame_ms: int = 250) -> None:
    """Writes an endlessly looping GIF of ``images``."""
    images[0].save(
        path,
        save_all=True,
        append_images=list(images[1:]),
        duration=frame_ms,
        loop=0)
