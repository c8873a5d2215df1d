"""Non-local blocks."""
from .non_local import (NonLocalBlock1d, NonLocalBlock2d, NonLocalBlock3d,
                        NonLocalBlockNd)

__all__ = ['NonLocalBlockNd', 'NonLocalBlock1d', 'NonLocalBlock2d', 'NonLocalBlock3d']
