"""Writes a tiny COCO-format instance-segmentation set of coloured shapes.

Each image holds a few non-overlapping rectangles, ellipses and triangles on a
noisy gradient background; every shape is annotated by the polygon it was
drawn from (so masks are exact), its bounding box and its area. Images are PNG
files, annotations real COCO JSON; the same seed gives the same files.

With ``--keypoints`` it writes a person-keypoint-style set instead: category
``figure`` (pentagons whose 5 vertices are its keypoints ``top``,
``left_shoulder``, ``right_shoulder``, ``left_foot``, ``right_foot``, listed
with a skeleton in the category, as COCO lists a person's) and distractor
``rectangle`` shapes without keypoints. Keypoints are pixel indices
``[x, y, v]``; about 15% are unlabelled (``v=0``, written as ``0, 0, 0``), 15%
labelled but hidden (``v=1``), the rest visible (``v=2``).

Layout (mirrors COCO's)::

    OUT/annotations/instances_train.json   OUT/train/000000.png ...
    OUT/annotations/instances_val.json     OUT/val/000000.png ...
    (--keypoints: OUT/annotations/person_keypoints_{train,val}.json)

The command line is ``tools/data/make_synthetic_coco.py``.
"""
import json
import math
import os
from typing import Callable, Dict, List, NamedTuple, Sequence, Tuple

import cv2
import numpy as np

CLASSES = ('rectangle', 'ellipse', 'triangle')
SPLITS = ('train', 'val')
_MAX_PLACEMENT_TRIES = 50
_ELLIPSE_VERTICES = 24


def _rectangle(rng, cx, cy, radius):
    # (4, 2) vertices of a rectangle rotated by a random angle
    half_w, half_h = radius * rng.uniform(0.6, 1.0, size=2)
    angle = rng.uniform(0, math.pi)
    corners = np.array([[-half_w, -half_h], [half_w, -half_h],
                        [half_w, half_h], [-half_w, half_h]])
    rotation = np.array([[math.cos(angle), -math.sin(angle)],
                         [math.sin(angle), math.cos(angle)]])
    return corners @ rotation.T + (cx, cy)


def _ellipse(rng, cx, cy, radius):
    # (24, 2) vertices on an axis-aligned ellipse
    axes = radius * rng.uniform(0.6, 1.0, size=2)
    t = np.linspace(0, 2 * math.pi, _ELLIPSE_VERTICES, endpoint=False)
    return np.stack([cx + axes[0] * np.cos(t), cy + axes[1] * np.sin(t)],
                    axis=1)


def _triangle(rng, cx, cy, radius):
    # (3, 2) vertices at jittered angles on a circle
    t = rng.uniform(-0.3, 0.3, size=3) + np.array([0, 2, 4]) * math.pi / 3
    t += rng.uniform(0, 2 * math.pi)
    return np.stack([cx + radius * np.cos(t), cy + radius * np.sin(t)], axis=1)


_SHAPES = (_rectangle, _ellipse, _triangle)  # indexed like CLASSES

KEYPOINT_CLASSES = ('figure', 'rectangle')  # only figures have keypoints
FIGURE_KEYPOINTS = ('top', 'left_shoulder', 'right_shoulder', 'left_foot',
                    'right_foot')
FIGURE_SKELETON = [[1, 2], [1, 3], [2, 4], [3, 5], [4,
                                                    5]]  # 1-based, as COCO's
_FIGURE_VERTEX_OF_KEYPOINT = (0, 4, 1, 3, 2)  # vertex of _figure's polygon
_VISIBILITY_PROBS = (0.15, 0.15, 0.7)  # v = 0, 1, 2


def _figure(rng, cx, cy, radius):
    # (5, 2) pentagon, clockwise: top, right shoulder, right foot, left foot,
    # left shoulder; "left" is the smaller x
    shoulder, foot = radius * rng.uniform(0.6, 1.0), radius * rng.uniform(
        0.3, 0.7)
    top_x = cx + radius * rng.uniform(-0.3, 0.3)
    neck_y = cy - radius * rng.uniform(0.1, 0.4)
    return np.array([[top_x, cy - radius], [cx + shoulder, neck_y],
                     [cx + foot, cy + radius], [cx - foot, cy + radius],
                     [cx - shoulder, neck_y]])


def _background(rng, width: int, height: int) -> np.ndarray:
    """A (H, W, 3) uint8 gradient with noise."""
    start, end = rng.uniform(0, 120, size=(2, 3))
    ramp = np.linspace(0, 1, width)[None, :, None]
    image = start + (end - start) * ramp + rng.normal(
        0, 8, size=(height, width, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def _overlaps(box, boxes, margin=2) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] + margin and b[0] < x1 + margin and y0 < b[3] +
               margin and b[1] < y1 + margin for b in boxes)


def _place_shapes(rng,
                  width: int,
                  height: int,
                  num_shapes: int,
                  shape_fns=_SHAPES) -> List[Tuple[int, np.ndarray]]:
    """``(class index, (V, 2) polygon)`` of non-overlapping shapes in the
    image."""
    shapes, boxes = [], []
    for _ in range(_MAX_PLACEMENT_TRIES):
        if len(shapes) == num_shapes:
            break
        label = int(rng.integers(len(shape_fns)))
        radius = rng.uniform(0.12, 0.25) * min(width, height)
        cx = rng.uniform(radius, width - radius)
        cy = rng.uniform(radius, height - radius)
        polygon = np.round(shape_fns[label](rng, cx, cy, radius))
        polygon = np.clip(polygon, 0, (width - 1, height - 1))
        box = (*polygon.min(axis=0), *polygon.max(axis=0))
        if not _overlaps(box, boxes):
            shapes.append((label, polygon))
            boxes.append(box)
    return shapes


def _polygon_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]  # shoelace formula
    return float(abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2)


def _annotation(polygon: np.ndarray, label: int, image_id: int,
                ann_id: int) -> Dict:
    x0, y0 = polygon.min(axis=0)
    x1, y1 = polygon.max(axis=0)
    return dict(
        id=ann_id,
        image_id=image_id,
        category_id=label + 1,
        segmentation=[[float(v) for v in polygon.flatten()]],
        area=_polygon_area(polygon),
        bbox=[float(x0), float(y0),
              float(x1 - x0),
              float(y1 - y0)],
        iscrowd=0)


def _keypoint_annotation(rng, polygon: np.ndarray, label: int, image_id: int,
                         ann_id: int) -> Dict:
    """A figure's annotation with its 5 keypoints; a rectangle's without."""
    annotation = _annotation(polygon, label, image_id, ann_id)
    if KEYPOINT_CLASSES[label] != 'figure':
        return annotation
    visibility = rng.choice(
        3, size=len(FIGURE_KEYPOINTS), p=_VISIBILITY_PROBS)  # (5,)
    points = polygon[list(_FIGURE_VERTEX_OF_KEYPOINT)] * (
        visibility[:, None] > 0)
    keypoints = np.concatenate([points, visibility[:, None]], axis=1)  # (5, 3)
    annotation.update(
        keypoints=[int(v) for v in keypoints.flatten()],
        num_keypoints=int((visibility > 0).sum()))
    return annotation


class _Layout(NamedTuple):
    """What a split holds: shapes, how they are annotated, the file name."""
    shape_fns: tuple
    annotate: Callable
    categories: List[Dict]
    file_prefix: str


def _instance_layout() -> _Layout:
    categories = [
        dict(id=i + 1, name=name, supercategory='shape')
        for i, name in enumerate(CLASSES)
    ]
    return _Layout(_SHAPES, lambda rng, *args: _annotation(*args), categories,
                   'instances')


def _keypoint_layout() -> _Layout:
    categories = [
        dict(
            id=1,
            name='figure',
            supercategory='shape',
            keypoints=list(FIGURE_KEYPOINTS),
            skeleton=FIGURE_SKELETON),
        dict(id=2, name='rectangle', supercategory='shape')
    ]
    return _Layout((_figure, _rectangle), _keypoint_annotation, categories,
                   'person_keypoints')


def _write_split(rng, out_dir: str, split: str, num_images: int,
                 image_size: Sequence[int], max_shapes: int,
                 layout: _Layout) -> str:
    width, height = image_size
    os.makedirs(os.path.join(out_dir, split), exist_ok=True)
    images, annotations = [], []
    for image_id in range(num_images):
        image = _background(rng, width, height)
        num_shapes = int(rng.integers(1, max_shapes + 1))
        for label, polygon in _place_shapes(rng, width, height, num_shapes,
                                            layout.shape_fns):
            colour = tuple(int(c) for c in rng.integers(130, 256, size=3))
            cv2.fillPoly(image, [polygon.astype(np.int32)], colour)
            annotations.append(
                layout.annotate(rng, polygon, label, image_id,
                                len(annotations) + 1))
        file_name = f'{image_id:06d}.png'
        cv2.imwrite(os.path.join(out_dir, split, file_name), image)
        images.append(
            dict(id=image_id, file_name=file_name, width=width, height=height))
    ann_file = os.path.join(out_dir, 'annotations',
                            f'{layout.file_prefix}_{split}.json')
    os.makedirs(os.path.dirname(ann_file), exist_ok=True)
    with open(ann_file, 'w', encoding='utf-8') as f:
        json.dump(
            dict(
                images=images,
                annotations=annotations,
                categories=layout.categories), f)
    return ann_file


def make_synthetic_coco(out_dir: str,
                        num_train: int = 16,
                        num_val: int = 8,
                        image_size: Sequence[int] = (128, 96),
                        max_shapes: int = 3,
                        seed: int = 0,
                        keypoints: bool = False) -> Dict[str, str]:
    """Writes the set and returns ``{split: annotation file path}``.

    Args:
        out_dir (str): Output folder (created).
        num_train (int): Training images.
        num_val (int): Validation images.
        image_size (tuple): ``(width, height)`` of every image.
        max_shapes (int): At most this many shapes per image (at least one).
        seed (int): Seed of the only random generator used.
        keypoints (bool): Write the keypoint set (figures with keypoints and
            distractor rectangles) instead of the instance set.
    """
    if num_train < 1 or num_val < 1:
        raise ValueError(f'num_train and num_val must be >= 1, got '
                         f'{num_train} and {num_val}')
    if len(image_size) != 2 or min(image_size) < 32:
        raise ValueError(f'image_size must be (width, height), each >= 32, '
                         f'got {tuple(image_size)}')
    if max_shapes < 1:
        raise ValueError(f'max_shapes must be >= 1, got {max_shapes}')
    rng = np.random.default_rng(seed)
    counts = dict(train=num_train, val=num_val)
    layout = _keypoint_layout() if keypoints else _instance_layout()
    return {
        split:
        _write_split(rng, out_dir, split, counts[split], image_size,
                     max_shapes, layout)
        for split in SPLITS
    }
