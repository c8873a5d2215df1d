"""Pooling of backbone feature maps into one vector per clip or per video."""
import torch

POOLS = ('avg', 'max')


def _pool(x: torch.Tensor, dims, how: str) -> torch.Tensor:
    return x.mean(dim=dims) if how == 'avg' else x.amax(dim=dims)


def check_pool(name: str, how: str) -> None:
    """Raises ``ValueError`` naming ``name`` unless ``how`` is a pooling
    type."""
    if how not in POOLS:
        raise ValueError(f'{name} must be one of {list(POOLS)}, got {how!r}')


def pool_views(feats: torch.Tensor, spatial: str,
               temporal: str) -> torch.Tensor:
    """One vector per view: ``(V, C, T, H, W) -> (V, C)``, space pooled
    first, then time."""
    check_pool('spatial', spatial)
    check_pool('temporal', temporal)
    if feats.ndim != 5:
        raise ValueError('expected backbone features (views, C, T, H, W), got '
                         f'shape {tuple(feats.shape)}')
    per_time = _pool(feats, (3, 4), spatial)  # (V, C, T, H, W) -> (V, C, T)
    return _pool(per_time, 2, temporal)  # (V, C, T) -> (V, C)


def pool_crops(views: torch.Tensor, num_clips: int,
               spatial: str) -> torch.Tensor:
    """One vector per clip: the spatial crops of a clip pooled,
    ``(crops * clips, C) -> (clips, C)``.

    Views come crop-major, as MMAction2's ``FormatShape`` orders them.
    """
    check_pool('spatial', spatial)
    if views.shape[0] % num_clips:
        raise ValueError(f'{views.shape[0]} views are not a multiple of '
                         f'{num_clips} clips')
    # (crops * clips, C) -> (crops, clips, C) -> (clips, C)
    return _pool(views.view(-1, num_clips, views.shape[-1]), 0, spatial)


def pool_clips(clips: torch.Tensor, temporal: str) -> torch.Tensor:
    """One vector per video: ``(clips, C) -> (C,)``."""
    check_pool('temporal', temporal)
    return _pool(clips, 0, temporal)
