"""The classification head of the official Kinetics models, test included.

The official code averages res5 over ``(T, 7, 7)`` with stride 1, applies
dropout 0.5 when training, then the classifier ``pred``: a fully connected
layer in training (a 224 crop pools to one position) and the same weights as a
1x1x1 convolution at test time, where a 256x256 crop pools to a 2x2 map. Its
test score is the softmax *per position*, averaged over the positions, which
is not the softmax of the averaged logits that MMAction2's ``I3DHead`` (global
pooling, then fc) gives on such a map.
"""
import math

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from .video_level_head import VideoLevelI3DHead


@MODELS.register_module()
class FullyConvHead(VideoLevelI3DHead):
    """``I3DHead`` with the official code's pooling and fully convolutional
    test, scoring each video once (:class:`VideoLevelI3DHead`).

    * :meth:`forward`: average pool with kernel ``(T, k, k)``, stride 1
      (``k = spatial_pool_size``, capped at the map size), dropout, then
      ``fc_cls`` at every pooled position: ``(N, C, T, H, W) -> (N, K, 1,
      H - k + 1, W - k + 1)`` logits.
    * :meth:`loss`: the logits averaged over positions (``I3DHead``'s logits
      when the pooled map is one position, as at 224x224 training crops).
    * :meth:`predict`: the softmax of each position, averaged over positions,
      as the official test; returned as its logarithm, ``(N, K)``, so that a
      softmax of these scores gives those probabilities back exactly. Views
      then compose as for any MMAction2 head: ``average_clips='prob'`` (or
      :class:`ClipVideoAccuracy`'s softmax) averages the official per-view
      probabilities.

    Same state dict as ``I3DHead`` (``fc_cls.weight`` ``(K, C)``,
    ``fc_cls.bias``).

    Args:
        num_classes (int): Classes ``K``.
        in_channels (int): Channels ``C`` of the res5 features.
        spatial_pool_size (int): Spatial kernel of the average pool (official
            code: 7); maps smaller than it are pooled whole.
        **kwargs: The other ``VideoLevelI3DHead`` arguments
            (``dropout_ratio``, ``init_std``, ``loss_cls``,
            ``average_clips`` ...);
            ``spatial_type`` must be ``'avg'``.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 spatial_pool_size: int = 7,
                 **kwargs) -> None:
        if kwargs.get('spatial_type', 'avg') != 'avg':
            raise ValueError('FullyConvHead pools by average: spatial_type '
                             f"must be 'avg', got {kwargs['spatial_type']!r}")
        if isinstance(spatial_pool_size, bool) or not isinstance(
                spatial_pool_size, int) or spatial_pool_size < 1:
            raise ValueError('spatial_pool_size must be a positive int, got '
                             f'{spatial_pool_size!r}')
        super().__init__(num_classes, in_channels, **kwargs)
        self.avg_pool = None  # the kernel depends on the input, see forward
        self.spatial_pool_size = spatial_pool_size

    def forward(self, x: torch.Tensor, **kwargs) -> torch.Tensor:
        """``(N, C, T, H, W)`` features -> ``(N, K, 1, H', W')`` logits."""
        if x.dim() != 5 or x.shape[1] != self.in_channels:
            raise ValueError(
                f'FullyConvHead expects (N, {self.in_channels}, T, H, W) '
                f'features, got shape {tuple(x.shape)}')
        _, _, t, h, w = x.shape
        size = self.spatial_pool_size
        # (N, C, T, H, W) -> (N, C, 1, H - k + 1, W - k + 1)
        x = F.avg_pool3d(x, (t, min(size, h), min(size, w)), stride=1)
        if self.dropout is not None:
            x = self.dropout(x)
        # classifier at every position: (N, ..., C) -> (N, ..., K)
        return self.fc_cls(x.movedim(1, -1)).movedim(-1, 1)

    def loss(self, feats, data_samples, **kwargs) -> dict:
        """Cross-entropy of the logits averaged over positions."""
        scores = self(feats, **kwargs).flatten(2).mean(dim=-1)  # (N, K)
        return self.loss_by_feat(scores, data_samples)

    def predict(self, feats, data_samples, **kwargs):
        """Log of the per-position softmax averaged over positions, per
        view."""
        logits = self(feats, **kwargs).flatten(2)  # (N, K, P)
        # log(mean_p softmax_k) = logsumexp_p(log_softmax_k) - log P
        scores = logits.log_softmax(dim=1).logsumexp(dim=-1) - math.log(
            logits.shape[-1])  # (N, K)
        return self.predict_by_feat(scores, data_samples)
