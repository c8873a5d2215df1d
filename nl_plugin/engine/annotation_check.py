"""Pre-run check of the video annotation lists a config reads, against the
number of classes of its model's head."""
from typing import List, Optional, Sequence

from .path_check import iter_datasets, join_root

VIDEO_DATASETS = ('VideoDataset', 'RobustVideoDataset')
_SHOWN = 10  # bad lines listed per file


def head_classes(cfg: dict) -> Optional[int]:
    """``model.cls_head.num_classes`` of a recognizer config, if any."""
    head = (cfg.get('model') or {}).get('cls_head')
    return head.get('num_classes') if isinstance(head, dict) else None


def _type_name(dataset: dict) -> str:
    kind = dataset.get('type')
    return kind.rsplit('.', 1)[-1] if isinstance(kind, str) else ''


def annotation_errors(cfg: dict, loader_keys: Sequence[str]) -> List[str]:
    """One message per video annotation list with bad lines, naming the config
    key, the file and every bad line (label range: the dataset's
    ``num_classes``, else the model head's)."""
    from ..action.datasets.annotation_list import (annotation_list_errors,
                                                   summarise)
    errors = []
    for loader_key in loader_keys:
        loader = cfg.get(loader_key)
        if not isinstance(loader, dict):
            continue
        for key, dataset in iter_datasets(
                loader.get('dataset'), f'{loader_key}.dataset'):
            if _type_name(dataset) not in VIDEO_DATASETS:
                continue
            root = dataset.get('data_root')
            ann_file = join_root(root, dataset.get('ann_file') or '')
            prefix = (dataset.get('data_prefix') or {}).get('video')
            try:
                bad = annotation_list_errors(
                    ann_file,
                    dataset.get('delimiter', ' '),
                    dataset.get('multi_class', False),
                    dataset.get('num_classes') or head_classes(cfg),
                    video_prefix=None if prefix is None else join_root(
                        root, prefix),
                    missing_ok=dataset.get('skip_unreadable', False))
            except OSError:
                continue  # a missing file is reported by the path checks
            if bad:
                errors.append(f'{key}.ann_file: {len(bad)} bad line(s):\n'
                              f'    {summarise(bad, _SHOWN, "    ")}')
    return errors
