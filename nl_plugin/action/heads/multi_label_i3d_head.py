"""I3D head for multi-label video classification (Charades)."""
from typing import Optional

import torch
from mmaction.models.heads import I3DHead
from mmaction.registry import MODELS

VIEW_POOLING = ('max', 'mean')


@MODELS.register_module()
class MultiLabelI3DHead(I3DHead):
    """MMAction2's ``I3DHead`` with a sigmoid per class and views pooled.

    Training: one logit per class, binary cross-entropy against multi-hot
    labels (MMAction2's ``BCELossWithLogits`` by default). Testing: the
    sigmoid of every view's logits (each clip x crop), then the maximum over
    the views of a video (``view_pooling='max'``, what Charades models report)
    or their mean (``'mean'``). ``pred_score`` is then (num_classes,) per
    video, in [0, 1].

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Channels of the backbone's output.
        view_pooling (str): ``'max'`` (default) or ``'mean'``.
        loss_cls (dict, optional): Loss config; default
            ``dict(type='BCELossWithLogits')``.
        **kwargs: The other arguments of ``I3DHead`` (``spatial_type``,
            ``dropout_ratio``, ``init_std``, ...). ``average_clips`` is
            replaced by ``view_pooling`` and must stay None.
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 view_pooling: str = 'max',
                 loss_cls: Optional[dict] = None,
                 **kwargs):
        if view_pooling not in VIEW_POOLING:
            raise ValueError(f'view_pooling must be one of '
                             f'{list(VIEW_POOLING)}, got {view_pooling!r}')
        if kwargs.get('average_clips') is not None:
            raise ValueError(
                'MultiLabelI3DHead pools views with view_pooling (sigmoid, '
                f'then max or mean); average_clips must be None, got '
                f'{kwargs["average_clips"]!r}')
        kwargs.setdefault('multi_class', True)
        super().__init__(
            num_classes,
            in_channels,
            loss_cls=loss_cls or dict(type='BCELossWithLogits'),
            **kwargs)
        self.view_pooling = view_pooling

    def average_clip(self,
                     cls_scores: torch.Tensor,
                     num_segs: int = 1) -> torch.Tensor:
        """Sigmoid scores of each video's views, pooled.

        Args:
            cls_scores (torch.Tensor): (B * num_segs, C) logits, the views of
                a video consecutive.
            num_segs (int): Views per video.

        Returns:
            torch.Tensor: (B, C) scores in [0, 1].
        """
        # (B * V, C) -> (B, V, C)
        probs = cls_scores.view(-1, num_segs, cls_scores.shape[-1]).sigmoid()
        if self.view_pooling == 'max':
            return probs.amax(dim=1)  # (B, C)
        return probs.mean(dim=1)  # (B, C)
