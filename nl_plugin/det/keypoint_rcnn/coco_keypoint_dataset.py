"""COCO person-keypoint annotations for Keypoint R-CNN."""
from typing import Tuple

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS

from .flip_indices import keypoint_flip_indices


@DATASETS.register_module()
class CocoKeypointDataset(CocoDataset):
    """mmdet's ``CocoDataset`` that also reads each instance's keypoints.

    For ``person_keypoints_*.json`` files (or any COCO file whose categories
    list their ``keypoints`` names). Instances are filtered exactly as mmdet
    does; each kept one also holds ``keypoints`` (``[x, y, v] * K`` from the
    file: pixel indices, ``v=0`` unlabelled, 1 labelled but hidden, 2 visible)
    and ``num_keypoints``. Every data info carries ``keypoint_names`` and
    ``keypoint_flip_indices`` (left <-> right after a mirroring, used by
    :class:`PackDetKeypointInputs`); the metainfo gets
    both too. Only the ``classes`` of the metainfo are kept (default:
    ``person``); each must be a category with keypoints, all with the same
    names.
    """

    METAINFO = dict(classes=('person', ), palette=[(220, 20, 60)])

    def parse_data_info(self, raw_data_info: dict) -> dict:
        img_info = raw_data_info['raw_img_info']
        names = self._keypoint_names()
        data_info = super().parse_data_info(
            dict(raw_img_info=img_info, raw_ann_info=[]))
        data_info['keypoint_names'] = names
        data_info['keypoint_flip_indices'] = keypoint_flip_indices(names)
        data_info['instances'] = [
            dict(instance, **self._keypoints_of(ann, len(names)))
            for ann in raw_data_info['raw_ann_info']
            for instance in self._instances_of(img_info, ann)
        ]
        return data_info

    def _instances_of(self, img_info: dict, ann: dict) -> list:
        """mmdet's instance of one annotation: ``[]`` where mmdet skips it."""
        return super().parse_data_info(
            dict(raw_img_info=img_info, raw_ann_info=[ann]))['instances']

    def _keypoints_of(self, ann: dict, num_keypoints: int) -> dict:
        keypoints = ann.get('keypoints')
        if keypoints is None or len(keypoints) != 3 * num_keypoints:
            found = 'none' if keypoints is None else f'{len(keypoints)} values'
            raise ValueError(
                f"annotation {ann.get('id')} (image {ann.get('image_id')}) of "
                f'{self.ann_file} needs keypoints: {3 * num_keypoints} values '
                f'[x, y, v] * {num_keypoints}, found {found}')
        num_labelled = sum(v > 0 for v in keypoints[2::3])
        return dict(
            keypoints=list(keypoints),
            num_keypoints=ann.get('num_keypoints', num_labelled))

    def _keypoint_names(self) -> Tuple[str, ...]:
        """The keypoint names shared by the kept categories (read from
        ``self.coco``,
        which mmdet's ``load_data_list`` holds while it parses)."""
        names = {
            tuple(self.coco.cats[cat_id].get('keypoints') or ())
            for cat_id in self.cat_ids
        }
        if len(names) != 1 or not next(iter(names)):
            raise ValueError(
                f"classes {self.metainfo['classes']} must be categories of "
                f'{self.ann_file} that list the same, non-empty keypoints; '
                f'found {sorted(names)}')
        names = next(iter(names))
        self._metainfo.update(
            keypoint_names=names,
            keypoint_flip_indices=keypoint_flip_indices(names))
        return names
