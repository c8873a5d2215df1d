"""COCO keypoint AP (OKS-based) of Keypoint R-CNN predictions, with
pycocotools."""
import contextlib
import io
from typing import List, Optional, Sequence

import numpy as np
from mmdet.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

# COCO's per-keypoint OKS sigmas of the 17 person keypoints (nose, eyes, ears,
# shoulders, elbows, wrists, hips, knees, ankles), as pycocotools' defaults.
COCO_PERSON_SIGMAS = tuple(s / 10.0 for s in (.26, .25, .25, .35, .35, .79,
                                              .79, .72, .72, .62, .62, 1.07,
                                              1.07, .87, .87, .89, .89))

# COCOeval.stats of iouType='keypoints', in order
STAT_NAMES = ('AP', 'AP50', 'AP75', 'APm', 'APl', 'AR', 'AR50', 'AR75', 'ARm',
              'ARl')


@METRICS.register_module()
class CocoKeypointMetric(BaseMetric):
    """Keypoint AP / AR of ``pred_instances.keypoints`` by
    COCOeval('keypoints').

    Each detection becomes a COCO keypoint result: its ``keypoints``
    (pixel-centre coordinates, as :class:`KeypointRoIHead` predicts them,
    shifted back by 0.5 to COCO's pixel indices), its box ``score`` as the
    instance score, its label's category. The ground truth is ``ann_file``
    (``person_keypoints_*.json``). Results ``coco/kp_AP``, ``kp_AP50``,
    ``kp_AP75``, ``kp_APm``, ``kp_APl`` and the same for AR, in [0, 1] (-1
    where COCOeval has no ground truth). For box AP add mmdet's
    ``CocoMetric(metric='bbox')`` to the evaluator list.

    Args:
        ann_file (str): COCO keypoint annotation file of the evaluated images.
        sigmas (Sequence[float], optional): Per-keypoint OKS sigmas, one per
            keypoint of the file's categories. ``None``: COCO's 17 person
            sigmas, which needs 17 keypoints.
        collect_device (str): Device to gather results on, as ``BaseMetric``.
        prefix (str, optional): Metric name prefix; default ``'coco'``.
    """

    default_prefix = 'coco'

    def __init__(self,
                 ann_file: str,
                 sigmas: Optional[Sequence[float]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not isinstance(ann_file, str):
            raise ValueError(
                f'ann_file must be a COCO keypoint json path, got {ann_file!r}'
            )
        with contextlib.redirect_stdout(io.StringIO()):
            self.coco = COCO(ann_file)
        num_keypoints = _num_keypoints(self.coco, ann_file)
        sigmas = COCO_PERSON_SIGMAS if sigmas is None else tuple(sigmas)
        if len(sigmas) != num_keypoints or min(sigmas) <= 0:
            raise ValueError(
                f'sigmas must be {num_keypoints} positive values, one per '
                'keypoint of '
                f'{ann_file}, got {len(sigmas)}: {sigmas}' +
                ('' if num_keypoints == 17 else ' (the default is COCO\'s 17)')
            )
        self.sigmas = np.array(sigmas)
        self.num_keypoints = num_keypoints

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            pred = sample['pred_instances']
            if 'keypoints' not in pred:
                raise ValueError(
                    'CocoKeypointMetric needs pred_instances.keypoints: '
                    "use roi_head=dict(type='KeypointRoIHead', ...)")
            self.results.append(
                dict(
                    img_id=int(sample['img_id']),
                    labels=pred['labels'].cpu().numpy(),
                    scores=pred['scores'].cpu().numpy(),
                    keypoints=pred['keypoints'].cpu().numpy()))  # (N, K, 2)

    def compute_metrics(self, results: list) -> dict:
        detections = self._coco_detections(results)
        if not detections:
            print_log(
                'CocoKeypointMetric: no detections, keypoint AP is 0',
                logger='current')
            return {f'kp_{name}': 0.0 for name in STAT_NAMES}
        with contextlib.redirect_stdout(io.StringIO()):
            coco_eval = COCOeval(self.coco, self.coco.loadRes(detections),
                                 'keypoints')
        coco_eval.params.kpt_oks_sigmas = self.sigmas
        coco_eval.params.imgIds = sorted({r['img_id'] for r in results})
        coco_eval.params.catIds = self._category_ids()
        summary = io.StringIO()
        with contextlib.redirect_stdout(summary):
            coco_eval.evaluate()
            coco_eval.accumulate()
            coco_eval.summarize()
        print_log('\n' + summary.getvalue(), logger='current')
        return {
            f'kp_{name}': float(v)
            for name, v in zip(STAT_NAMES, coco_eval.stats)
        }

    def _category_ids(self) -> List[int]:
        """Category id of each label: the dataset's classes, else the file's
        keypoint categories."""
        classes = (self.dataset_meta or {}).get('classes')
        if classes is None:
            return sorted(c['id'] for c in self.coco.cats.values()
                          if c.get('keypoints'))
        return self.coco.getCatIds(catNms=list(classes))

    def _coco_detections(self, results: list) -> List[dict]:
        category_ids = self._category_ids()
        detections = []
        for result in results:
            for label, score, keypoints in zip(result['labels'],
                                               result['scores'],
                                               result['keypoints']):
                xyv = np.concatenate(
                    [keypoints - 0.5,
                     np.ones((len(keypoints), 1))],
                    axis=1)  # (K, 3): COCO pixel indices, v = 1
                detections.append(
                    dict(
                        image_id=result['img_id'],
                        category_id=category_ids[int(label)],
                        keypoints=xyv.flatten().tolist(),
                        score=float(score)))
        return detections


def _num_keypoints(coco: COCO, ann_file: str) -> int:
    counts = {
        len(c['keypoints'])
        for c in coco.cats.values() if c.get('keypoints')
    }
    if len(counts) != 1:
        raise ValueError(
            f'ann_file {ann_file} must have categories listing their '
            f'keypoints, all as many; found counts {sorted(counts)}')
    return counts.pop()
