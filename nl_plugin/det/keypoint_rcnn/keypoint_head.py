"""Mask R-CNN's keypoint head with non-local blocks in its conv stack (Table
6).

The keypoint head of Mask R-CNN (He et al., 2017) maps each RoI's 14x14
features through eight 3x3, 512-channel convs, a 4x4 stride-2 deconv to one
logit map per keypoint, and a 2x bilinear upsampling to 56x56. The paper's
Table 6 puts 4 non-local blocks into this stack, one after every 2 convs.

mmdet 3.3 has no Keypoint R-CNN; nl_plugin adds the missing pieces around this
head: :class:`KeypointRoIHead` (targets, loss, decoding),
``CocoKeypointDataset`` and the keypoint transforms, and ``CocoKeypointMetric``
(keypoint AP). The configs are ``configs/detection/keypoint-rcnn_*.py``.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.registry import MODELS
from mmengine.model import BaseModule, Sequential

from ...blocks import NonLocalBlock2d


def default_init_cfg():
    """Detectron's keypoint head init: MSRA convs, N(0, 0.001) deconv."""
    return [
        dict(
            type='Kaiming',
            layer='Conv2d',
            mode='fan_out',
            nonlinearity='relu'),
        dict(type='Normal', layer='ConvTranspose2d', std=0.001)
    ]


def _check_positive(**values) -> None:
    for name, value in values.items():
        if not isinstance(value, int) or value < 1:
            raise ValueError(f'{name} must be a positive int, got {value!r}')


@MODELS.register_module()
class NLKeypointHead(BaseModule):
    """Keypoint heatmap head: conv stack with an NL block every few convs.

    Args:
        num_keypoints (int): Heatmaps to predict (COCO persons: 17).
        in_channels (int): Channels of the RoI features.
        conv_out_channels (int): Channels of every conv of the stack.
        num_convs (int): 3x3 convs in the stack (paper: 8).
        non_local_interval (int): An NL block follows every this many convs
            (paper: 2, i.e. 4 blocks); 0 for the plain head.
        non_local_cfg (dict, optional): Arguments of :class:`NonLocalBlock2d`.
        upsample_factor (int): Bilinear upsampling after the stride-2 deconv.
        init_cfg (dict | list, optional): ``None`` means
            :func:`default_init_cfg`; the NL blocks re-apply their own
            (identity) init after it.
    """

    def __init__(self,
                 num_keypoints: int = 17,
                 in_channels: int = 256,
                 conv_out_channels: int = 512,
                 num_convs: int = 8,
                 non_local_interval: int = 2,
                 non_local_cfg: Optional[dict] = None,
                 upsample_factor: int = 2,
                 init_cfg: Optional[Sequence[dict]] = None):
        super().__init__(
            init_cfg=default_init_cfg() if init_cfg is None else init_cfg)
        _check_positive(
            num_keypoints=num_keypoints,
            in_channels=in_channels,
            conv_out_channels=conv_out_channels,
            num_convs=num_convs,
            upsample_factor=upsample_factor)
        if (not isinstance(non_local_interval, int)
                or not 0 <= non_local_interval <= num_convs):
            raise ValueError(
                f'non_local_interval must be an int in 0..num_convs '
                f'({num_convs}), got {non_local_interval!r}')
        self.num_keypoints = num_keypoints
        self.upsample_factor = upsample_factor
        self.stack = self._conv_stack(in_channels, conv_out_channels,
                                      num_convs, non_local_interval,
                                      non_local_cfg or {})
        self.deconv = nn.ConvTranspose2d(
            conv_out_channels, num_keypoints, 4, stride=2, padding=1)

    @staticmethod
    def _conv_stack(in_channels, channels, num_convs, interval, non_local_cfg):
        """3x3 conv + ReLU layers, an NL block after every ``interval`` of
        them."""
        layers = []
        for i in range(num_convs):
            layers.append(
                ConvModule(
                    in_channels if i == 0 else channels,
                    channels,
                    3,
                    padding=1))
            if interval and (i + 1) % interval == 0:
                layers.append(NonLocalBlock2d(channels, **non_local_cfg))
        return Sequential(
            *layers)  # mmengine's: init_weights reaches the NL blocks

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(R, C, S, S)`` RoI features -> ``(R, K, 2S*f, 2S*f)`` heatmap
        logits."""
        x = self.deconv(self.stack(x))  # (R, K, 2S, 2S)
        return F.interpolate(
            x,
            scale_factor=self.upsample_factor,
            mode='bilinear',
            align_corners=False)

    def loss(self, logits: torch.Tensor,
             targets: torch.Tensor) -> torch.Tensor:
        """Mask R-CNN's keypoint loss: a softmax over each heatmap's positions.

        Args:
            logits (Tensor): ``(R, K, H, W)`` output of :meth:`forward`.
            targets (Tensor): ``(R, K)`` flat index ``y * W + x`` of each
                keypoint in its heatmap, or -1 where the keypoint is not
                labelled.

        Returns:
            Tensor: Cross-entropy averaged over the labelled keypoints; a zero
            that still reaches every logit when none is labelled.
        """
        if targets.shape != logits.shape[:2]:
            raise ValueError(
                f'targets must have shape {tuple(logits.shape[:2])}, '
                f'got {tuple(targets.shape)}')
        if not (targets >= 0).any():
            return logits.sum() * 0
        # (R, K, H, W) -> (R*K, H*W): one classification over positions per
        # keypoint
        return F.cross_entropy(
            logits.flatten(2).flatten(0, 1),
            targets.flatten(),
            ignore_index=-1)
