"""Builds a config's model and optimizer once on the meta device, before the
Runner: every argument a constructor rejects is reported with its config key,
without allocating memory or reading a weight file (weights are loaded later,
by ``init_weights`` / ``load_from``).

Constructors that need real tensor values (``.item()`` on a parameter ...)
cannot run on the meta device; such a failure is inconclusive, not an error,
and leaves the check to the Runner.
"""
import copy
import re
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.optim import build_optim_wrapper
from mmengine.registry import MODELS, DefaultScope

from .build_errors import build_error, describe, locate

# torch's optimizer messages -> the argument they are about
_OPTIMIZER_ARGS = (('learning rate', 'lr'), ('momentum', 'momentum'),
                   ('weight_decay', 'weight_decay'), ('epsilon', 'eps'),
                   ('beta', 'betas'), ('dampening', 'dampening'))


def _meta_limitation(error: BaseException) -> bool:
    """Whether ``error`` says the meta device cannot do this, rather than that
    an argument is wrong."""
    return isinstance(error, (RuntimeError, NotImplementedError)) and \
        'meta' in str(error)


def build_on_meta(cfg, scope: str) -> Tuple[Optional[nn.Module], List[str]]:
    """``cfg.model`` built on the meta device in ``scope``.

    Returns:
        tuple: the model (``None`` if it could not be built) and the errors,
        e.g. ``["model.backbone.non_local_cfg.mode (NLResNet3d): mode must be
        one of [...], got 'softmax'"]``; no error when the meta device was the
        obstacle.
    """
    model_cfg = copy.deepcopy(cfg.get('model'))
    if not isinstance(model_cfg, dict):
        return None, []
    try:
        with torch.device('meta'), \
                DefaultScope.overwrite_default_scope(scope):
            return MODELS.build(model_cfg), []
    except Exception as error:  # any constructor's complaint  # noqa: B902
        if _meta_limitation(error):
            return None, []
        return None, [build_error(cfg.model, 'model', error)]


def _optimizer_arg(message: str) -> Optional[str]:
    """The optimizer argument a torch optimizer message is about."""
    for words, arg in _OPTIMIZER_ARGS:
        if re.search(rf'\b{words}\b', message, re.IGNORECASE):
            return arg
    return None


def optimizer_errors(cfg, model: nn.Module, scope: str) -> List[str]:
    """Builds ``cfg.optim_wrapper`` for ``model`` (a meta-device model);
    one message per problem, naming the key (``optim_wrapper.optimizer.lr:
    Invalid learning rate: -0.1``)."""
    if cfg.get('optim_wrapper') is None:
        return []
    try:
        with DefaultScope.overwrite_default_scope(scope):
            build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    except Exception as error:  # noqa: B902
        if _meta_limitation(error):
            return []
        classes, message = describe(error)
        key = locate(cfg.optim_wrapper, 'optim_wrapper', classes, message)
        arg = _optimizer_arg(message)
        if arg and key in ('optim_wrapper', 'optim_wrapper.optimizer'):
            key = f'optim_wrapper.optimizer.{arg}'
        return [f'{key}: {message}']
    return []
