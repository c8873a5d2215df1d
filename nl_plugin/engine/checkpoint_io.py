"""Reading local checkpoints: no downloads, clear errors, a minimal unpickling
allow-list."""
import os
from typing import Dict

import torch

_REMOTE = ('http://', 'https://', 'torchvision://', 'open-mmlab://',
           'mmcls://', 'modelzoo://', 's3://', 'pavi://')


def check_local_path(path: str, key: str) -> None:
    """Raises if ``path`` (the value of config key ``key``) is remote or
    missing."""
    if not isinstance(path, str):
        raise TypeError(
            f'{key} must be a path string, got {type(path).__name__}')
    if path.startswith(_REMOTE):
        raise ValueError(
            f'{key}={path!r} would be downloaded at run time, which nl_plugin '
            'does '
            'not do: download the checkpoint yourself and pass its local file '
            'path')
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f'{key}: checkpoint file {path!r} does not exist')


def load_local_checkpoint(path: str, key: str) -> Dict[str, torch.Tensor]:
    """Loads the tensors of a local checkpoint (``state_dict`` wrapper
    removed)."""
    check_local_path(path, key)
    checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{key}: {path!r} holds no state dict')
    return {k: v for k, v in checkpoint.items() if isinstance(v, torch.Tensor)}
