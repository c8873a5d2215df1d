"""The non-local block and its parts: pairwise functions, neighbourhoods, 1x1
projections and the placement specs of NL-ResNets; the frozen affine norm
layer of the official long-clip models.

Needs only torch, mmcv (pure Python parts) and mmengine. The blocks are
registered in MMEngine's root ``MODELS``, so ``type='NonLocalBlock3d'`` works
from the ``mmaction`` and ``mmdet`` scopes alike (``FrozenAffine`` too).
"""
from .frozen_affine import FrozenAffine, fold_batch_norm
from .non_local import (NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d,
                        NonLocalBlockNd)
from .placement import NAMED_LAYOUTS, non_local_flags, non_local_positions

__all__ = [
    'NonLocalBlockNd', 'NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d',
    'NAMED_LAYOUTS', 'non_local_flags', 'non_local_positions', 'FrozenAffine',
    'fold_batch_norm'
]
