"""A recognizer / detector from its config and checkpoint, and one input for
it.

Videos go through the config's test pipeline reduced to a single view (one
clip, centre crop); images through the detector's test pipeline without the
annotation loaders. The data preprocessor of the model then normalises and
pads, exactly as at test time. Alongside the backbone input come the frames to
draw on: the pipeline's output before normalisation, padded like the input, in
RGB.
"""
import copy
import os
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint

from ..engine.checkpoint_fit import check_checkpoint_fits
from ..engine.run_config import build_model, config_scope

_MULTI_CROPS = ('ThreeCrop', 'TenCrop')


@dataclass
class ModelInput:
    """One view of a video (or one image) ready for the backbone.

    Args:
        inputs: ``(1, C, T, H, W)`` clip or ``(1, C, H, W)`` image, normalised.
        frames: ``(T, H, W, 3)`` uint8 RGB frames the input was made from
            (``T = 1`` for an image), padded like ``inputs``.
    """

    inputs: torch.Tensor
    frames: np.ndarray


def load_model(config: str,
               checkpoint: str,
               device: str = 'cpu',
               allow_partial: bool = False) -> Tuple[nn.Module, Config]:
    """Builds the model of ``config`` in eval mode and loads ``checkpoint``.

    The backbone's ``pretrained`` / ``Pretrained`` ``init_cfg`` are dropped
    (:func:`build_model`): the checkpoint provides all weights and nothing is
    downloaded or initialised. A checkpoint whose keys do not fit the model
    (e.g. without the NL blocks' weights, which would then be drawn at random
    init) raises :class:`~nl_plugin.engine.CheckpointError` unless
    ``allow_partial``.
    """
    for path, what in ((config, 'config'), (checkpoint, 'checkpoint')):
        if not os.path.isfile(path):
            raise FileNotFoundError(f'{what} file {path!r} does not exist')
    cfg = Config.fromfile(config)
    init_default_scope(config_scope(cfg))
    model = build_model(cfg)
    check_checkpoint_fits(model, checkpoint, allow_partial, 'checkpoint')
    load_checkpoint(model, checkpoint, map_location='cpu', logger='current')
    return model.to(device).eval(), cfg


def _short_type(transform: dict) -> str:
    kind = transform['type']
    return kind.rsplit('.', 1)[-1] if isinstance(kind, str) else kind.__name__


def test_pipeline_cfg(cfg: Config) -> List[dict]:
    """The config's ``test_pipeline``, else its test dataloader's pipeline."""
    pipeline = cfg.get('test_pipeline')
    if pipeline is None:
        pipeline = cfg.get('test_dataloader', {}).get('dataset',
                                                      {}).get('pipeline')
    if not pipeline:
        raise ValueError('config has neither test_pipeline nor '
                         'test_dataloader.dataset.pipeline')
    return copy.deepcopy(list(pipeline))


def single_view_pipeline(pipeline: List[dict]) -> List[dict]:
    """Video test pipeline reduced to one clip and one (centre) crop.

    Every clip sampler with a ``num_clips`` argument samples one clip (in test
    mode the middle one); ``ThreeCrop`` / ``TenCrop`` become a ``CenterCrop``.
    """
    out = []
    for transform in copy.deepcopy(pipeline):
        kind = _short_type(transform)
        if 'num_clips' in transform:  # SampleFrames and the window samplers
            transform['num_clips'] = 1
        elif kind in _MULTI_CROPS:
            transform = dict(
                type='CenterCrop', crop_size=transform['crop_size'])
        out.append(transform)
    return out


def image_pipeline(pipeline: List[dict]) -> List[dict]:
    """Detector test pipeline without its annotation loaders."""
    return [t for t in pipeline if 'Annotations' not in _short_type(t)]


def _as_frames(pixels: torch.Tensor, height: int, width: int) -> np.ndarray:
    """``(T, h, w, 3)`` pipeline pixels -> uint8, zero-padded/cropped to ``H x
    W``."""
    pixels = pixels.numpy() if isinstance(pixels,
                                          torch.Tensor) else np.asarray(pixels)
    if pixels.dtype != np.uint8:
        pixels = np.clip(pixels, 0, 255).round().astype(np.uint8)
    frames = np.zeros((pixels.shape[0], height, width, 3), dtype=np.uint8)
    h, w = min(height, pixels.shape[1]), min(width, pixels.shape[2])
    frames[:, :h, :w] = pixels[:, :h, :w]
    return frames


def prepare_input(model: nn.Module, cfg: Config, path: str) -> ModelInput:
    """Runs ``path`` (a video for mmaction, an image for mmdet) through the
    test
    pipeline and the model's data preprocessor."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f'input file {path!r} does not exist')
    scope = config_scope(cfg)
    init_default_scope(scope)
    pipeline = test_pipeline_cfg(cfg)
    if scope == 'mmaction':
        sample = Compose(single_view_pipeline(pipeline))(
            dict(filename=path, label=-1, start_index=0, modality='RGB'))
        # (M, C, T, H, W) views -> first view as (T, H, W, C); decoders give
        # RGB
        pixels = sample['inputs'][0].permute(1, 2, 3, 0)
    else:
        sample = Compose(image_pipeline(pipeline))(
            dict(img_path=path, img_id=0))
        # (C, H, W) -> (1, H, W, C); LoadImageFromFile gives BGR
        pixels = sample['inputs'].permute(1, 2, 0)[None].flip(-1)
    with torch.no_grad():
        inputs = model.data_preprocessor(pseudo_collate([sample]),
                                         False)['inputs']
    dims = 3 if scope == 'mmaction' else 2
    inputs = inputs.reshape(-1,
                            *inputs.shape[-(dims + 1):])[:1]  # (1, C, *grid)
    return ModelInput(inputs, _as_frames(pixels, *inputs.shape[-2:]))
