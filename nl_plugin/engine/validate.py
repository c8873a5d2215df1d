"""Checks a config before the Runner is built, so that bad values fail
first, each named by its config key."""
from typing import List, Tuple

import torch.nn as nn
from mmengine.config import Config

from .annotation_check import annotation_errors
from .checkpoint_fit import checkpoint_fit
from .checkpoint_io import load_local_checkpoint
from .errors import CheckpointError, ConfigError
from .model_check import build_on_meta, optimizer_errors
from .path_check import missing_checkpoints, missing_data_paths
from .type_check import unknown_types

_TRAIN_SECTIONS = ('model', 'train_dataloader', 'optim_wrapper',
                   'param_scheduler', 'default_hooks', 'custom_hooks',
                   'train_cfg', 'visualizer', 'vis_backends', 'log_processor',
                   'model_wrapper_cfg')
_VAL_SECTIONS = ('val_dataloader', 'val_evaluator', 'val_cfg')
_TEST_SECTIONS = ('model', 'test_dataloader', 'test_evaluator', 'test_cfg',
                  'default_hooks', 'custom_hooks', 'visualizer',
                  'vis_backends', 'log_processor', 'model_wrapper_cfg')


def _validates(cfg: Config) -> bool:
    """Whether a training run will also validate (MMEngine needs all three)."""
    return all(cfg.get(key) is not None for key in _VAL_SECTIONS)


def _sections(cfg: Config, mode: str) -> Tuple[tuple, list]:
    """Top-level sections and data loaders a ``mode`` run reads."""
    if mode == 'test':
        return _TEST_SECTIONS, ['test_dataloader']
    if _validates(cfg):
        return _TRAIN_SECTIONS + _VAL_SECTIONS, [
            'train_dataloader', 'val_dataloader'
        ]
    return _TRAIN_SECTIONS, ['train_dataloader']


def _fit_error(cfg: Config, model: nn.Module,
               allow_partial: bool) -> List[str]:
    """For a test run: whether ``load_from`` fits ``model``."""
    try:
        fit = checkpoint_fit(model,
                             load_local_checkpoint(cfg.load_from, 'load_from'))
    except CheckpointError as error:
        return [str(error)]
    if fit.ok or allow_partial:
        return []
    return [
        f'load_from: checkpoint {cfg.load_from!r} does not fit the model:\n'
        '    ' + fit.summary().replace('\n', '\n    ') +
        '\n    (pass --allow-partial to test it anyway)'
    ]


def _model_errors(cfg: Config, mode: str, scope: str, with_fit: bool,
                  allow_partial: bool) -> List[str]:
    """The model (and, for training, the optimizer) built on the meta device;
    with ``with_fit``, the keys of ``load_from`` against the model's."""
    model, errors = build_on_meta(cfg, scope)
    if model is None:
        return errors
    if mode == 'train':
        errors += optimizer_errors(cfg, model, scope)
    if with_fit:
        errors += _fit_error(cfg, model, allow_partial)
    return errors


def config_errors(cfg: Config,
                  mode: str,
                  allow_partial: bool = False) -> List[str]:
    """Every problem found in ``cfg`` for a ``'train'`` or ``'test'`` run.

    Checks that each ``type`` is registered; that dataset roots, annotation
    files and data prefixes exist; that checkpoint paths are local files;
    every line of video annotation lists (see :mod:`.annotation_check`);
    and, once those pass, builds the model (and for training the optimizer)
    on the meta device, reporting any argument a constructor rejects (see
    :mod:`.model_check`). For a test, ``load_from`` must fit the model,
    unless ``allow_partial``.
    """
    if mode not in ('train', 'test'):
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
    scope = cfg.get('default_scope') or 'mmengine'
    sections, loaders = _sections(cfg, mode)
    errors = unknown_types(cfg, scope, sections)
    for key in loaders:
        if cfg.get(key) is None:
            errors.append(f'{key}: missing; a {mode} run needs it')
        errors += missing_data_paths(cfg.get(key), key)
    errors += annotation_errors(cfg, loaders)
    checkpoint_errors = missing_checkpoints(cfg, with_init=(mode == 'train'))
    errors += checkpoint_errors
    if not any(e.startswith(('model.', 'model:')) for e in errors):
        with_fit = mode == 'test' and bool(cfg.get('load_from')) and not any(
            e.startswith('load_from:') for e in checkpoint_errors)
        errors += _model_errors(cfg, mode, scope, with_fit, allow_partial)
    return errors


def check_config(cfg: Config, mode: str, allow_partial: bool = False) -> None:
    """Raises :class:`ConfigError` listing every problem of ``cfg`` (see
    :func:`config_errors`); returns quietly when there is none."""
    errors = config_errors(cfg, mode, allow_partial)
    if errors:
        raise ConfigError(f'{len(errors)} problem(s) in the config:\n  ' +
                          '\n  '.join(errors))
