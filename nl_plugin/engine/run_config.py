"""Turns a config file plus command-line options into the config of one run,
and a config into its model."""
import copy
import importlib
import os.path as osp
from typing import Optional

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from .atomic_checkpoint import AtomicCheckpointHook
from .cfg_options import unknown_option_errors
from .config_syntax import syntax_error
from .errors import ConfigError

SCOPES = ('mmaction', 'mmdet')


def config_scope(cfg: Config) -> str:
    """The config's ``default_scope``: ``mmaction`` or ``mmdet``.

    The scope comes from the config (its ``mmaction::`` / ``mmdet::`` base sets
    it), never from guessing.
    """
    scope = cfg.get('default_scope')
    if scope not in SCOPES:
        raise ConfigError(
            f'default_scope: must be one of {list(SCOPES)}, got {scope!r}; '
            "inherit an 'mmaction::' or 'mmdet::' base config or set it")
    return scope


def _read(path: str) -> Config:
    """``Config.fromfile``, with errors that name the file (and line)."""
    try:
        return Config.fromfile(path)
    except SyntaxError as error:
        where = syntax_error(path)
        raise ConfigError(f'config: {where or error}') from error
    except Exception as error:  # noqa: B902  code run by the config
        raise ConfigError(f'config: {path!r} could not be read: '
                          f'{type(error).__name__}: {error}') from error


def load_config(path: str,
                cfg_options: Optional[dict] = None,
                new_cfg_options: Optional[dict] = None) -> Config:
    """Loads ``path`` and merges ``--cfg-options`` (whose keys must exist,
    see :mod:`.cfg_options`) and ``--new-cfg-options`` (unchecked); the scope
    must be set."""
    if not osp.isfile(path):
        raise ConfigError(f'config: file {path!r} does not exist')
    cfg = _read(path)
    if cfg_options:
        errors = unknown_option_errors(cfg.to_dict(), cfg_options,
                                       cfg.get('default_scope') or 'mmengine')
        if errors:
            raise ConfigError('\n  '.join(errors))
        cfg.merge_from_dict(cfg_options)
    if new_cfg_options:
        cfg.merge_from_dict(new_cfg_options)
    config_scope(cfg)
    return cfg


def use_atomic_checkpoints(cfg: Config) -> None:
    """Makes ``default_hooks.checkpoint`` an ``AtomicCheckpointHook`` where
    it is MMEngine's ``CheckpointHook`` (same arguments): a run killed at any
    moment then keeps a checkpoint to resume from."""
    hook = (cfg.get('default_hooks') or {}).get('checkpoint')
    stock = ('CheckpointHook', 'mmengine.CheckpointHook')
    if isinstance(hook, dict) and hook.get('type') in stock:
        hook['type'] = AtomicCheckpointHook.__name__


def build_model(cfg: Config) -> nn.Module:
    """The model of ``cfg``, built in its scope, with nothing to download.

    The backbone's ``pretrained`` and a ``Pretrained`` ``init_cfg`` are
    dropped: a checkpoint loaded afterwards (or nothing, to count parameters)
    supplies the weights. ``init_weights()`` is not called.
    """
    scope = config_scope(cfg)
    importlib.import_module(f'{scope}.models')  # registers the scope's models
    model_cfg = copy.deepcopy(cfg.model)
    backbone = model_cfg.get('backbone', {})
    if backbone.get('pretrained') is not None:
        backbone.pretrained = None
    init_cfg = backbone.get('init_cfg')
    if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
        backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(model_cfg)


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> None:
    """``--work-dir``, else the config's ``work_dir``, else ``work_dirs/<config
    name>``."""
    if work_dir:
        cfg.work_dir = work_dir
    elif not cfg.get('work_dir'):
        name = osp.splitext(osp.basename(config_path))[0]
        cfg.work_dir = osp.join('work_dirs', name)


def set_amp(cfg: Config, amp: bool) -> None:
    """``--amp``: mixed precision with dynamic loss scaling (needs a GPU)."""
    if not amp:
        return
    if not torch.cuda.is_available():
        raise ConfigError(
            '--amp: automatic mixed precision needs a CUDA GPU; none found')
    wrapper = cfg.optim_wrapper
    if wrapper.get('type', 'OptimWrapper') != 'AmpOptimWrapper':
        wrapper.type = 'AmpOptimWrapper'
        wrapper.loss_scale = 'dynamic'
