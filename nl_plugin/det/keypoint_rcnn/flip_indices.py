"""Which keypoint a horizontal flip turns each keypoint into."""
from functools import lru_cache
from typing import Sequence, Tuple

_SIDES = (('left_', 'right_'), ('right_', 'left_'))


@lru_cache(maxsize=None)
def _flip_indices(names: Tuple[str, ...]) -> Tuple[int, ...]:
    position = {name: i for i, name in enumerate(names)}
    indices = []
    for name in names:
        mirror = name
        for side, other in _SIDES:
            if name.startswith(side):
                mirror = other + name[len(side):]
        if mirror not in position:
            raise ValueError(
                f'keypoint {name!r} has no mirror keypoint {mirror!r} '
                f'among {list(names)}')
        indices.append(position[mirror])
    return tuple(indices)


def keypoint_flip_indices(names: Sequence[str]) -> Tuple[int, ...]:
    """Index of each keypoint's mirror image under a horizontal flip.

    ``left_<part>`` and ``right_<part>`` swap (COCO's naming, e.g.
    ``left_eye``); every other keypoint (``nose``) maps to itself.

    Args:
        names (Sequence[str]): Keypoint names, in annotation order.

    Returns:
        tuple[int]: ``flipped = keypoints[:, indices]`` relabels a flipped
        image's keypoints.
    """
    return _flip_indices(tuple(names))
