"""Keypoint R-CNN's RoI head: mmdet's box (and mask) branches plus a keypoint
branch."""
from typing import List, Tuple

import torch
from mmdet.models.roi_heads import StandardRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.models.utils import unpack_gt_instances
from mmdet.registry import MODELS
from mmdet.structures import SampleList
from mmdet.structures.bbox import bbox2roi
from mmengine.structures import InstanceData
from torch import Tensor

from .decoding import heatmaps_to_keypoints
from .targets import keypoint_heatmap_targets

MISSING_KEYPOINTS_HINT = (
    'KeypointRoIHead trains on gt_instances.keypoints: load the data with '
    'CocoKeypointDataset and LoadKeypoints / PackDetKeypointInputs in the '
    'train pipeline')


@MODELS.register_module()
class KeypointRoIHead(StandardRoIHead):
    """``StandardRoIHead`` with Mask R-CNN's keypoint branch (He et al., 2017).

    Each positive RoI (training) or detected box (inference) is pooled by
    ``keypoint_roi_extractor`` (RoIAlign, 14x14) and mapped by
    ``keypoint_head`` (e.g. :class:`NLKeypointHead`) to one ``M x M`` heatmap
    per keypoint. The loss is the head's softmax cross-entropy over heatmap
    cells against :func:`keypoint_heatmap_targets`; prediction takes each
    heatmap's arg-max cell (:func:`heatmaps_to_keypoints`) and adds
    ``keypoints`` ``(N, K, 2)`` and ``keypoint_scores`` ``(N, K)`` to the
    detections. The box branch, and a mask branch if configured, work as in
    ``StandardRoIHead``.

    Args:
        keypoint_roi_extractor (dict): RoI extractor config.
        keypoint_head (dict): Keypoint head config; the head has
            ``num_keypoints`` and ``loss(logits, targets)``.
        keypoint_loss_weight (float): Weight of ``loss_keypoint``.
        **kwargs: ``StandardRoIHead``'s arguments; ``bbox_head`` is required.
    """

    def __init__(self,
                 keypoint_roi_extractor: dict,
                 keypoint_head: dict,
                 keypoint_loss_weight: float = 1.0,
                 **kwargs):
        for name, cfg in (('keypoint_roi_extractor', keypoint_roi_extractor),
                          ('keypoint_head', keypoint_head),
                          ('bbox_head', kwargs.get('bbox_head'))):
            if not isinstance(cfg, dict):
                raise ValueError(f'{name} must be a config dict, got {cfg!r}')
        if not keypoint_loss_weight > 0:
            raise ValueError('keypoint_loss_weight must be > 0, got '
                             f'{keypoint_loss_weight!r}')
        super().__init__(**kwargs)
        self.keypoint_roi_extractor = MODELS.build(keypoint_roi_extractor)
        self.keypoint_head = MODELS.build(keypoint_head)
        self.keypoint_loss_weight = keypoint_loss_weight

    def _keypoint_forward(self, x: Tuple[Tensor], rois: Tensor) -> Tensor:
        """RoIs ``(R, 5)`` (image index, x1, y1, x2, y2) -> ``(R, K, M, M)``
        logits."""
        feats = self.keypoint_roi_extractor(
            x[:self.keypoint_roi_extractor.num_inputs], rois)  # (R, C, 14, 14)
        return self.keypoint_head(feats)

    def forward(self,
                x: Tuple[Tensor],
                rpn_results_list,
                batch_data_samples=None) -> tuple:
        """``StandardRoIHead.forward``'s outputs plus the keypoint logits of
        the
        first 100 proposals of the batch."""
        rois = bbox2roi([res.bboxes
                         for res in rpn_results_list])[:100]  # (<=100, 5)
        return super().forward(x, rpn_results_list, batch_data_samples) + (
            self._keypoint_forward(x, rois), )

    def sample_rois(self, x: Tuple[Tensor], rpn_results_list,
                    batch_gt_instances,
                    batch_gt_instances_ignore) -> List[SamplingResult]:
        """Assigns each image's proposals to its ground truth and samples
        RoIs."""
        sampling_results = []
        for i, proposals in enumerate(rpn_results_list):
            # mmdet's assigners and samplers read the proposal boxes as
            # ``priors``
            priors = InstanceData(
                **{
                    'priors' if key == 'bboxes' else key: value
                    for key, value in proposals.items()
                })
            assigned = self.bbox_assigner.assign(priors, batch_gt_instances[i],
                                                 batch_gt_instances_ignore[i])
            sampling_results.append(
                self.bbox_sampler.sample(
                    assigned,
                    priors,
                    batch_gt_instances[i],
                    feats=[level[i][None] for level in x]))
        return sampling_results

    def loss(self, x: Tuple[Tensor], rpn_results_list,
             batch_data_samples: SampleList) -> dict:
        """Box, mask (if any) and keypoint losses on the same sampled RoIs."""
        batch_gt_instances, batch_gt_instances_ignore, _ = unpack_gt_instances(
            batch_data_samples)
        if any('keypoints' not in gt for gt in batch_gt_instances):
            raise ValueError(MISSING_KEYPOINTS_HINT)
        sampling_results = self.sample_rois(x, rpn_results_list,
                                            batch_gt_instances,
                                            batch_gt_instances_ignore)
        bbox_results = self.bbox_loss(x, sampling_results)
        losses = dict(bbox_results['loss_bbox'])
        if self.with_mask:
            losses.update(
                self.mask_loss(x, sampling_results, bbox_results['bbox_feats'],
                               batch_gt_instances)['loss_mask'])
        losses.update(
            self.keypoint_loss(x, sampling_results, batch_gt_instances))
        return losses

    def keypoint_loss(self, x: Tuple[Tensor],
                      sampling_results: List[SamplingResult],
                      batch_gt_instances) -> dict:
        """``loss_keypoint`` over the positive RoIs' labelled keypoints."""
        pos_boxes = [res.pos_priors for res in sampling_results]
        if sum(len(b) for b in pos_boxes) == 0:  # keep the head in the graph
            zero = sum(p.sum() for p in self.keypoint_head.parameters()) * 0
            return dict(loss_keypoint=zero)
        logits = self._keypoint_forward(x, bbox2roi(pos_boxes))  # (P, K, M, M)
        targets = torch.cat([
            keypoint_heatmap_targets(res.pos_priors,
                                     gt.keypoints[res.pos_assigned_gt_inds],
                                     logits.shape[-1])
            for res, gt in zip(sampling_results, batch_gt_instances)
        ])  # (P, K)
        loss = self.keypoint_head.loss(logits, targets)
        return dict(loss_keypoint=loss * self.keypoint_loss_weight)

    def predict(self,
                x: Tuple[Tensor],
                rpn_results_list,
                batch_data_samples: SampleList,
                rescale: bool = False) -> list:
        """``StandardRoIHead.predict``'s detections with ``keypoints`` and
        ``keypoint_scores`` (in the original image frame if ``rescale``)."""
        results_list = super().predict(x, rpn_results_list, batch_data_samples,
                                       rescale)
        batch_img_metas = [sample.metainfo for sample in batch_data_samples]
        return self.predict_keypoints(x, batch_img_metas, results_list,
                                      rescale)

    def predict_keypoints(self, x: Tuple[Tensor], batch_img_metas: List[dict],
                          results_list: list, rescale: bool) -> list:
        """Adds ``keypoints`` ``(N, K, 2)`` and ``keypoint_scores`` ``(N,
        K)``."""
        scales = [
            _scale_factor(meta, results.bboxes, rescale)
            for meta, results in zip(batch_img_metas, results_list)
        ]
        # boxes in the network input's frame, where the features are
        boxes = [
            results.bboxes * scale.repeat(2)
            for results, scale in zip(results_list, scales)
        ]  # [(N_i, 4)]
        num_boxes = [len(b) for b in boxes]
        if sum(num_boxes) == 0:
            logits = x[0].new_zeros(0, self.keypoint_head.num_keypoints, 1, 1)
        else:
            logits = self._keypoint_forward(
                x, bbox2roi(boxes))  # (sum N_i, K, M, M)
        for results, image_boxes, image_logits, scale in zip(
                results_list, boxes, logits.split(num_boxes), scales):
            keypoints, scores = heatmaps_to_keypoints(image_logits,
                                                      image_boxes)
            results.keypoints = keypoints / scale  # (N, K, 2)
            results.keypoint_scores = scores  # (N, K)
        return results_list


def _scale_factor(img_meta: dict, like: Tensor, rescale: bool) -> Tensor:
    """``(2,)`` (w, h) factors from the original image to the network input, or
    ones when the detections are not rescaled to the original image."""
    if not rescale:
        return like.new_ones(2)
    return like.new_tensor(img_meta['scale_factor'])
