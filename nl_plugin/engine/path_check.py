"""Finds data and checkpoint paths of a config that do not exist (before a
run)."""
import os.path as osp
import re
from typing import Any, Iterator, List, Optional, Tuple

# Any URI scheme (http://, torchvision://, open-mmlab://, s3:// ...): nothing
# that MMEngine would download or fetch from a remote store.
_REMOTE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URI (``scheme://...``) rather than a local
    path."""
    return bool(_REMOTE.match(path))


def join_root(root: Optional[str], path: str) -> str:
    return path if not root or osp.isabs(path) else osp.join(root, path)


def iter_datasets(node: Any, key: str) -> Iterator[Tuple[str, dict]]:
    """Yields ``(key, dataset cfg)`` for a dataset and the ones it wraps."""
    if not isinstance(node, dict):
        return
    yield key, node
    if isinstance(node.get('dataset'),
                  dict):  # RepeatDataset, ClassBalancedDataset ...
        yield from iter_datasets(node['dataset'], f'{key}.dataset')
    for i, child in enumerate(node.get('datasets') or ()):  # ConcatDataset
        yield from iter_datasets(child, f'{key}.datasets[{i}]')


def missing_data_paths(dataloader: Optional[dict], key: str) -> List[str]:
    """Messages for a dataloader's ``data_root``, ``ann_file`` or
    ``data_prefix``
    that does not exist, with relative paths joined to ``data_root`` as
    MMEngine's ``BaseDataset`` does.
    """
    if not isinstance(dataloader, dict):
        return []
    errors = []
    for dkey, dataset in iter_datasets(
            dataloader.get('dataset'), f'{key}.dataset'):
        root = dataset.get('data_root')
        if root and not osp.isdir(root):
            errors.append(
                f'{dkey}.data_root: directory {root!r} does not exist')
            continue
        ann_file = dataset.get('ann_file')
        if ann_file and not osp.isfile(join_root(root, ann_file)):
            errors.append(f'{dkey}.ann_file: file '
                          f'{join_root(root, ann_file)!r} does not exist')
        prefixes = dataset.get('data_prefix')
        for name, prefix in (prefixes.items()
                             if isinstance(prefixes, dict) else ()):
            if isinstance(prefix, str) and prefix and not osp.exists(
                    join_root(root, prefix)):
                errors.append(
                    f'{dkey}.data_prefix.{name}: {join_root(root, prefix)!r} '
                    'does not exist')
    return errors


def checkpoint_error(path: Any, key: str) -> Optional[str]:
    """A message if ``path`` (config key ``key``) is not a local checkpoint
    file."""
    if path is None:
        return None
    if not isinstance(path, str):
        return (f'{key}: expected a checkpoint path string, got '
                f'{type(path).__name__}')
    if is_remote(path):
        return (f'{key}: {path!r} would be downloaded at run time, which '
                'nl_plugin does '
                'not do; download it yourself and give the local file path')
    if not osp.isfile(path):
        return f'{key}: checkpoint file {path!r} does not exist'
    return None


def iter_model_checkpoints(node: Any, key: str) -> Iterator[Tuple[str, Any]]:
    """Yields ``(key, path)`` of every ``pretrained`` string and every
    ``init_cfg=dict(type='Pretrained', checkpoint=...)`` below a model
    config."""
    if isinstance(node, dict):
        if isinstance(node.get('pretrained'), str):
            yield f'{key}.pretrained', node['pretrained']
        if node.get('type') == 'Pretrained' and 'checkpoint' in node:
            yield f'{key}.checkpoint', node['checkpoint']
        for name, value in node.items():
            yield from iter_model_checkpoints(value, f'{key}.{name}')
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from iter_model_checkpoints(value, f'{key}[{i}]')


def missing_checkpoints(cfg: dict, with_init: bool) -> List[str]:
    """Messages for ``load_from`` and, if ``with_init`` (training), the model's
    ``pretrained`` / ``init_cfg`` checkpoints that are not local files."""
    errors = [checkpoint_error(cfg.get('load_from'), 'load_from')]
    if with_init:
        errors += [
            checkpoint_error(path, key)
            for key, path in iter_model_checkpoints(cfg.get('model'), 'model')
        ]
    return [e for e in errors if e]
