"""The Kinetics-400 models released with facebookresearch/video-nonlocal-net.

Accuracies are **the authors'** (the official README: Kinetics-400 val, 19,761
videos, 10 clips x 3 crops, top-1 / top-5), not measured here. The models and
the code are CC-BY-NC 4.0; converted weights keep that licence.

Twelve architectures; three more files share one of them (the 8x8 I3D
baseline trained with other schedules). Each architecture has the config
``configs/recognition/video_nonlocal_net/<architecture>_kinetics400-rgb.py``.
"""
import os.path as osp
import re
from typing import NamedTuple, Optional


class ReleasedModel(NamedTuple):
    """One released ``.pkl``.

    Attributes:
        stem (str): File name without ``.pkl``.
        architecture (str): Stem of the model whose architecture (and config)
            it shares; its own stem for the twelve main models.
        top1 (float): The authors' top-1 (%).
        top5 (float): The authors' top-5 (%).
    """
    stem: str
    architecture: str
    top1: float
    top5: float


def _main(stem: str, top1: float, top5: float) -> ReleasedModel:
    return ReleasedModel(stem, stem, top1, top5)


_I3D_8X8 = 'i3d_baseline_8x8_IN_pretrain_400k'
RELEASED_MODELS = (
    _main('c2d_baseline_8x8_IN_pretrain_400k', 71.9, 90.0),
    _main('c2d_nonlocal_8x8_IN_pretrain_400k', 74.4, 91.4),
    _main(_I3D_8X8, 73.4, 90.9),
    _main('i3d_nonlocal_8x8_IN_pretrain_400k', 74.7, 91.6),
    _main('c2d_baseline_32x2_IN_pretrain_400k', 72.0, 90.0),
    _main('c2d_nonlocal_32x2_IN_pretrain_400k', 73.9, 91.0),
    _main('i3d_baseline_32x2_IN_pretrain_400k', 73.6, 90.8),
    _main('i3d_nonlocal_32x2_IN_pretrain_400k', 74.9, 91.6),
    _main('i3d_baseline_32x4_I3D_pretrain_400k', 75.5, 92.0),
    _main('i3d_nonlocal_32x4_I3D_pretrain_400k', 76.5, 92.6),
    _main('i3d_baseline_128x1_I3D_pretrain_400k', 75.2, 92.0),
    _main('i3d_nonlocal_128x1_I3D_pretrain_400k', 76.5, 92.7),
    ReleasedModel('i3d_baseline_8x8_IN_pretrain_300k', _I3D_8X8, 73.2, 90.8),
    ReleasedModel('i3d_baseline_8x8_IN_pretrain_600k_4gpu', _I3D_8X8, 73.0,
                  90.4),
    ReleasedModel('i3d_baseline_8x8_IN_pretrain_300k_4gpu', _I3D_8X8, 72.0,
                  90.1),
)
ARCHITECTURES = tuple(m.stem for m in RELEASED_MODELS
                      if m.stem == m.architecture)
_BY_STEM = {m.stem: m for m in RELEASED_MODELS}
# model, kind and clip as they appear in every stem
_SIGNATURE = re.compile(r'(c2d|i3d)_(baseline|nonlocal)_(8x8|32x2|32x4|128x1)')


def released_model(name: str) -> ReleasedModel:
    """The released model called ``name`` (its stem).

    Raises:
        ValueError: naming the known stems.
    """
    if name not in _BY_STEM:
        raise ValueError(f'unknown released model {name!r}; the released '
                         f'models are {sorted(_BY_STEM)}')
    return _BY_STEM[name]


def infer_released_model(path: str) -> Optional[ReleasedModel]:
    """The released model a file name stands for, or None.

    The file's stem itself (``i3d_nonlocal_32x2_IN_pretrain_400k.pkl``), or a
    name containing exactly one model signature such as ``i3d_nonlocal_32x2``
    (``my_i3d_nonlocal_32x2_copy.pkl``), which names its architecture.
    """
    stem = osp.splitext(osp.basename(path))[0]
    if stem in _BY_STEM:
        return _BY_STEM[stem]
    found = {m.group(0) for m in _SIGNATURE.finditer(stem)}
    if len(found) != 1:
        return None
    signature = found.pop()
    return next(m for m in RELEASED_MODELS
                if m.stem == m.architecture and m.stem.startswith(signature))
