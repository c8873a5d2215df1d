"""Checks a config before the Runner is built, so that bad values fail
first."""
from typing import List

from mmengine.config import Config

from .errors import ConfigError
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


def config_errors(cfg: Config, mode: str) -> List[str]:
    """Every problem found in ``cfg`` for a ``'train'`` or ``'test'`` run.

    Checks that each ``type`` is registered, that dataset roots, annotation
    files and data prefixes exist, and that checkpoint paths are local files.
    """
    if mode not in ('train', 'test'):
        raise ValueError(f"mode must be 'train' or 'test', got {mode!r}")
    scope = cfg.get('default_scope') or 'mmengine'
    if mode == 'train':
        sections = _TRAIN_SECTIONS + (_VAL_SECTIONS if _validates(cfg) else ())
        loaders = ['train_dataloader'
                   ] + (['val_dataloader'] if _validates(cfg) else [])
    else:
        sections, loaders = _TEST_SECTIONS, ['test_dataloader']
    errors = unknown_types(cfg, scope, sections)
    for key in loaders:
        if cfg.get(key) is None:
            errors.append(f'{key}: missing; a {mode} run needs it')
        errors += missing_data_paths(cfg.get(key), key)
    errors += missing_checkpoints(cfg, with_init=(mode == 'train'))
    return errors


def check_config(cfg: Config, mode: str) -> None:
    """Raises :class:`ConfigError` listing every problem of ``cfg`` (see
    :func:`config_errors`); returns quietly when there is none."""
    errors = config_errors(cfg, mode)
    if errors:
        raise ConfigError(f'{len(errors)} problem(s) in the config:\n  ' +
                          '\n  '.join(errors))
