"""Reading local checkpoints: no downloads, clear errors naming the file and
what is wrong with it, a minimal unpickling allow-list (see
:mod:`nl_plugin.compat.torch_load`)."""
import os
import pickle
import zipfile
from typing import Any, Dict

import torch

from .errors import CheckpointError
from .path_check import checkpoint_error, is_remote


def check_local_path(path: str, key: str) -> None:
    """Raises if ``path`` (the value of config key ``key``) is not a local
    checkpoint file: ``TypeError`` (not a string), ``ValueError`` (remote) or
    ``FileNotFoundError``, with :func:`.path_check.checkpoint_error`'s
    message."""
    if not isinstance(path, str):
        raise TypeError(f'{key}: expected a checkpoint path string, got '
                        f'{type(path).__name__}')
    error = checkpoint_error(path, key)
    if error is not None:
        raise (ValueError if is_remote(path) else FileNotFoundError)(error)


def _unusable(path: str, key: str, reason: str) -> CheckpointError:
    return CheckpointError(f'{key}: checkpoint {path!r} is unusable: {reason}')


def read_checkpoint(path: str, key: str) -> Any:
    """``torch.load`` of a local checkpoint (``weights_only``, tensors memory-
    mapped where the file format allows), or a :class:`CheckpointError` that
    names the file and says why it cannot be read: empty, truncated, not a
    PyTorch file, or holding objects outside the allow-list."""
    check_local_path(path, key)
    if os.path.getsize(path) == 0:
        raise _unusable(
            path, key, 'the file is empty (0 bytes), e.g. a write that '
            'was interrupted')
    mmap = zipfile.is_zipfile(path)  # torch.save's format since 1.6
    try:
        return torch.load(
            path, map_location='cpu', weights_only=True, mmap=mmap)
    except pickle.UnpicklingError as error:
        raise _unusable(
            path, key, f'it holds objects that weights_only loading does '
            f'not allow ({error})') from error
    except (EOFError, RuntimeError, OSError, ValueError) as error:
        size = os.path.getsize(path)
        raise _unusable(
            path, key, f'truncated or not a PyTorch checkpoint ({size} '
            f'bytes; {type(error).__name__}: {error})') from error


def state_dict_of(checkpoint: Any, path: str,
                  key: str) -> Dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint as MMEngine's ``load_checkpoint``
    sees them: the ``state_dict`` entry if there is one, ``module.`` prefixes
    (DDP) removed."""
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict):
        raise _unusable(path, key, 'it holds no state dict')
    return {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in checkpoint.items() if isinstance(v, torch.Tensor)
    }


def load_local_checkpoint(path: str, key: str) -> Dict[str, torch.Tensor]:
    """The state dict (tensors only) of the local checkpoint ``path``."""
    return state_dict_of(read_checkpoint(path, key), path, key)
