"""Builds a trained recognizer from a config and a local checkpoint."""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.apis import init_recognizer
from mmengine.runner import load_checkpoint

from ...engine.checkpoint_fit import check_checkpoint_fits
from ...engine.run_config import load_config


def default_device() -> str:
    """``cuda:0`` where a GPU is visible, else ``cpu``."""
    return 'cuda:0' if torch.cuda.is_available() else 'cpu'


def load_weights(model: nn.Module,
                 checkpoint: str,
                 allow_partial: bool = False) -> None:
    """Loads a local checkpoint into ``model``; every key must fit unless
    ``allow_partial``.

    The one place where the inference tools read weights.

    Raises:
        CheckpointError: the checkpoint is missing, remote, unreadable, or its
            keys or shapes do not fit the model (listed).
    """
    check_checkpoint_fits(model, checkpoint, allow_partial, 'checkpoint')
    load_checkpoint(
        model, checkpoint, map_location='cpu', strict=False, logger='silent')


def load_recognizer(config: str,
                    checkpoint: str,
                    device: Optional[str] = None,
                    cfg_options: Optional[dict] = None,
                    allow_partial: bool = False,
                    new_cfg_options: Optional[dict] = None) -> nn.Module:
    """A recognizer in eval mode with its trained weights, as MMAction2's
    ``init_recognizer`` builds it (``model.cfg`` is the config).

    Args:
        config (str): Config file.
        checkpoint (str): Local checkpoint file.
        device (str, optional): Torch device; default :func:`default_device`.
        cfg_options (dict, optional): Config overrides (``--cfg-options``).
        allow_partial (bool): Accept a checkpoint whose keys do not all fit.
        new_cfg_options (dict, optional): New config keys
            (``--new-cfg-options``).
    """
    cfg = load_config(config, cfg_options, new_cfg_options)
    model = init_recognizer(cfg, None, device=device or default_device())
    load_weights(model, checkpoint, allow_partial)
    return model.eval()
