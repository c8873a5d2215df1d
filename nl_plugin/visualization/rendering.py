"""Drawing attention maps over input frames: a PNG grid and an animated GIF.

Layout (sizes exact, so callers and tests can rely on them):

* a *panel* is one input frame resized so that its longer side is
  ``panel_size`` pixels, under a caption strip of :data:`CAPTION` pixels;
* the PNG has one row per query and one column per temporal slice of the key
  grid (the slice's middle input frame is shown); the GIF has one frame per
  input frame and one panel per query;
* panels are separated and framed by :data:`GAP` pixels.

On a panel, the weights of the keys are a heat map tiled over the input pixels
they stand for, with one colour scale per query shared by all its frames (see
:func:`colour_scale`; a zero weight leaves the frame as it is), the top-k keys
are circles (the strongest one thicker), and the query's cell is a red box with
a cross. The caption gives the query, the frame and the weight range of the
colour scale. Circles, boxes, lines and captions are drawn by MMEngine's
``Visualizer`` (matplotlib); the heat map blends a matplotlib colour map.
"""
import warnings
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import matplotlib
import mmcv
import numpy as np
from mmengine.visualization import Visualizer
from PIL import Image

from .geometry import Box, Cell, GridMapping

GAP = 4
CAPTION = 14
CAPTION_POINTS = 7  # font size of the caption, ~10 px at the Visualizer's dpi
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
    attention of a large neighbourhood still shows its structure (from 0 when
    all non-zero weights are equal).
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
    # input index units (pixel centres) -> panel pixel coordinates (x, y),
    # below the caption
    return ((point[1] + 0.5) * zoom[1], (point[0] + 0.5) * zoom[0] + CAPTION)


class _Painter:
    """Draws on one panel at a time with one MMEngine ``Visualizer``."""

    def __init__(self):
        self.visualizer = Visualizer(name='nl_plugin_attention')

    def keys(self, keys: Sequence[RankedKey], radius: float,
             zoom: Tuple[float, float]) -> None:
        if not keys:
            return
        keys = sorted(keys, reverse=True)  # the strongest drawn last
        self.visualizer.draw_circles(
            np.array([_to_panel(centre, zoom) for _, centre in keys]),
            np.full(len(keys), radius),
            edge_colors=KEY_COLOUR,
            line_widths=[3 if rank == 0 else 1 for rank, _ in keys],
            alpha=1.0)

    def query(self, box: Box, zoom: Tuple[float, float]) -> None:
        (_, _), (y0, y1), (x0, x1) = box
        left, top = x0 * zoom[1], y0 * zoom[0] + CAPTION
        right, bottom = x1 * zoom[1] - 1, y1 * zoom[0] - 1 + CAPTION
        self.visualizer.draw_bboxes(
            np.array([left, top, right, bottom]),
            edge_colors=QUERY_COLOUR,
            line_widths=2,
            alpha=1.0)
        cx, cy = (left + right) / 2, (top + bottom) / 2
        arm = max(3.0, (right - left) / 4)
        for xs, ys in (([cx - arm,
                         cx + arm], [cy, cy]), ([cx, cx], [cy - arm,
                                                           cy + arm])):
            self.visualizer.draw_lines(
                np.array(xs), np.array(ys), colors=QUERY_COLOUR, line_widths=2)

    def panel(self, image: np.ndarray, caption: str, keys, radius: float,
              zoom: Tuple[float, float], query_box: Optional[Box]):
        """``image`` (H, W, 3) under a caption strip, with keys and query."""
        canvas = np.full((image.shape[0] + CAPTION, image.shape[1], 3),
                         BACKGROUND, np.uint8)
        canvas[CAPTION:] = image
        with warnings.catch_warnings():
            # circles and boxes at the frame's edge are clipped, as wanted
            warnings.filterwarnings('ignore', 'Warning: The .* out of bounds')
            self.visualizer.set_image(canvas)
            self.visualizer.draw_texts(
                caption,
                np.array([1, 1]),
                font_sizes=CAPTION_POINTS,
                colors='black')
            self.keys(keys, radius, zoom)
            if query_box is not None:
                self.query(query_box, zoom)
            return self.visualizer.get_image()  # (H + CAPTION, W, 3)


def draw_panel(frame: np.ndarray,
               heat: np.ndarray,
               scale: ColourScale,
               keys: Sequence[RankedKey],
               key_stride: Tuple[int, int],
               query_box: Optional[Box],
               caption: str,
               panel_size: int,
               painter: Optional[_Painter] = None) -> np.ndarray:
    """One captioned panel: frame, heat map, top-k key circles, query box.

    Args:
        frame (ndarray): ``(H, W, 3)`` uint8 RGB input frame.
        heat (ndarray): ``(H, W)`` weights tiled over the input pixels.
        scale (ColourScale): Colour scale of the query's weights.
        keys: ``(rank, (y, x))`` of the top keys shown here: their rank among
            all the query's top keys (0: the strongest, drawn thicker) and
            input-pixel centre.
        key_stride: ``(s_y, s_x)`` input pixels per key cell (sets circle
            size).
        query_box: The query cell's input box, or None when not in this frame.
        caption (str): Text above the panel.
        panel_size (int): Longer side of the panel in pixels.
        painter: Reused between panels; a new one when None.

    Returns:
        np.ndarray: ``(ph + CAPTION, pw, 3)`` uint8 RGB.
    """
    height, width = frame.shape[:2]
    ph, pw = panel_shape(height, width, panel_size)
    zoom = (ph / height, pw / width)
    image = mmcv.imresize(
        heat_overlay(frame, heat, scale), (pw, ph), interpolation='bilinear')
    radius = max(
        2.0,
        min(12.0,
            0.35 * min(key_stride[0] * zoom[0], key_stride[1] * zoom[1])))
    return (painter or _Painter()).panel(image, caption, keys, radius, zoom,
                                         query_box)


def tile(rows: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Places equally sized panels in a grid with :data:`GAP` pixel
    spacing."""
    ph, pw = rows[0][0].shape[:2]
    cols = max(len(row) for row in rows)
    canvas = np.full(
        (len(rows) * (ph + GAP) + GAP, cols * (pw + GAP) + GAP, 3), BACKGROUND,
        np.uint8)
    for r, row in enumerate(rows):
        for c, panel in enumerate(row):
            top, left = GAP + r * (ph + GAP), GAP + c * (pw + GAP)
            canvas[top:top + ph, left:left + pw] = panel
    return canvas


def _overlaps(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])


def _slice_panel(frames: np.ndarray, view: QueryView, heat: np.ndarray,
                 frame_index: int, query_map: GridMapping,
                 key_map: GridMapping, panel_size: int,
                 painter: _Painter) -> np.ndarray:
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
                      key_map.stride[1:], shown, caption, panel_size, painter)


def grid_image(frames: np.ndarray,
               views: Sequence[QueryView],
               query_map: GridMapping,
               key_map: GridMapping,
               panel_size: int = 256) -> np.ndarray:
    """PNG grid: a row per query, a column per temporal slice of the key grid.

    Args:
        frames (ndarray): ``(T, H, W, 3)`` uint8 RGB input clip.
        views: One :class:`QueryView` per query.
        query_map, key_map: Grid -> input mappings of queries and keys.
        panel_size (int): Longer side of a panel in pixels.

    Returns:
        np.ndarray: ``(H', W', 3)`` uint8 RGB.
    """
    middle_frames = []
    for key_t in range(key_map.grid_size[0]):
        first, last = key_map.box((key_t, 0, 0))[0]
        middle_frames.append(first + (last - first - 1) // 2)
    painter = _Painter()
    rows = []
    for view in views:
        heat = key_map.upsample(view.weights)  # (T, H, W)
        rows.append([
            _slice_panel(frames, view, heat, f, query_map, key_map, panel_size,
                         painter) for f in middle_frames
        ])
    return tile(rows)


def animation_frames(frames: np.ndarray,
                     views: Sequence[QueryView],
                     query_map: GridMapping,
                     key_map: GridMapping,
                     panel_size: int = 256) -> List[np.ndarray]:
    """GIF frames: one per input frame, a panel per query side by side."""
    heats = [key_map.upsample(view.weights) for view in views]  # Q x (T, H, W)
    painter = _Painter()
    return [
        tile([[
            _slice_panel(frames, view, heat, f, query_map, key_map, panel_size,
                         painter) for view, heat in zip(views, heats)
        ]]) for f in range(frames.shape[0])
    ]


def save_png(image: np.ndarray, path: str) -> None:
    """Writes an ``(H, W, 3)`` uint8 RGB image as PNG."""
    Image.fromarray(image).save(path)


def save_gif(images: Sequence[np.ndarray],
             path: str,
             frame_ms: int = 250) -> None:
    """Writes an endlessly looping GIF of ``(H, W, 3)`` uint8 RGB images."""
    frames = [Image.fromarray(image) for image in images]
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        duration=frame_ms,
        loop=0)
