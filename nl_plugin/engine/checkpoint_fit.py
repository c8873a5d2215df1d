"""Whether a checkpoint's keys fit a model: what is missing, unexpected or of
another shape, before any weight is loaded.

MMEngine's Runner loads ``load_from`` with ``strict=False`` and only logs the
mismatch, so a checkpoint of another architecture (even one that shares no
key) is evaluated as if it were the model's. The tools call
:func:`check_checkpoint_fits` first.
"""
from dataclasses import dataclass, field
from typing import Dict, List

import torch
import torch.nn as nn
from mmengine.model import is_model_wrapper

from .checkpoint_io import load_local_checkpoint
from .errors import CheckpointError

_SHOWN = 12  # names listed per kind in a summary


def collapse(names: List[str], universe: List[str]) -> List[str]:
    """``names`` with every module whose keys in ``universe`` are all among
    them written once, as ``'prefix.* (n keys)'`` (the outermost such
    module); order of first appearance."""
    counts: Dict[str, int] = {}
    for key in universe:
        for prefix in _prefixes(key):
            counts[prefix] = counts.get(prefix, 0) + 1
    chosen: Dict[str, int] = {}
    for name in names:
        for prefix in _prefixes(name):
            chosen[prefix] = chosen.get(prefix, 0) + 1
    out, done = [], set()
    for name in names:
        full = [p for p in _prefixes(name) if chosen[p] == counts.get(p)]
        entry = f'{full[0]}* ({counts[full[0]]} keys)' if full else name
        if entry not in done:
            done.add(entry)
            out.append(entry)
    return out


def _prefixes(key: str) -> List[str]:
    """``'a.b.c'`` -> ``['a.', 'a.b.']``, outermost first."""
    parts = key.split('.')
    return ['.'.join(parts[:i]) + '.' for i in range(1, len(parts))]


def _listing(names: List[str], universe: List[str]) -> str:
    shown = collapse(names, universe)
    more = len(shown) - _SHOWN
    return ', '.join(
        shown[:_SHOWN]) + (f', ... ({more} more)' if more > 0 else '')


@dataclass
class CheckpointFit:
    """Keys of a checkpoint against those of a model."""
    model_keys: List[str]
    checkpoint_keys: List[str]
    missing: List[str] = field(default_factory=list)  # in model only
    unexpected: List[str] = field(default_factory=list)  # in checkpoint only
    mismatched: List[str] = field(default_factory=list)  # shapes differ

    @property
    def ok(self) -> bool:
        """Every key of the model, and no other, with the model's shape."""
        return not (self.missing or self.unexpected or self.mismatched)

    def summary(self) -> str:
        """One line per kind of problem, or that all keys fit."""
        if self.ok:
            return (f'all {len(self.model_keys)} keys of the model are in '
                    'the checkpoint, with their shapes')
        lines = []
        if self.missing:
            lines.append(f'{len(self.missing)} of the model\'s '
                         f'{len(self.model_keys)} keys missing from the '
                         'checkpoint: '
                         f'{_listing(self.missing, self.model_keys)}')
        if self.unexpected:
            lines.append(f'{len(self.unexpected)} unexpected keys (in the '
                         'checkpoint, not in the model): '
                         f'{_listing(self.unexpected, self.checkpoint_keys)}')
        if self.mismatched:
            lines.append(f'{len(self.mismatched)} keys of another shape: ' +
                         ', '.join(self.mismatched[:_SHOWN]))
        return '\n'.join(lines)


def _unwrapped(model: nn.Module) -> nn.Module:
    return model.module if is_model_wrapper(model) else model


def checkpoint_fit(model: nn.Module,
                   state_dict: Dict[str, torch.Tensor]) -> CheckpointFit:
    """Compares ``state_dict`` (as :func:`.checkpoint_io.state_dict_of` gives
    it) with ``model``'s own; ``model`` may live on the meta device."""
    own = _unwrapped(model).state_dict()
    fit = CheckpointFit(list(own), list(state_dict))
    fit.missing = [k for k in own if k not in state_dict]
    fit.unexpected = [k for k in state_dict if k not in own]
    fit.mismatched = [
        f'{k} {tuple(v.shape)} in the checkpoint, {tuple(own[k].shape)} in '
        'the model' for k, v in state_dict.items()
        if k in own and tuple(v.shape) != tuple(own[k].shape)
    ]
    return fit


def check_checkpoint_fits(model: nn.Module,
                          path: str,
                          allow_partial: bool = False,
                          key: str = 'checkpoint') -> CheckpointFit:
    """Reads ``path`` and raises :class:`CheckpointError` listing what does
    not fit ``model``, unless ``allow_partial``; returns the comparison.

    Args:
        model (nn.Module): The model (or a model wrapper), any device.
        path (str): A local checkpoint file.
        allow_partial (bool): Return the comparison instead of raising when
            keys do not fit (``--allow-partial`` of the tools).
        key (str): The option or config key that gave ``path``, for messages.
    """
    fit = checkpoint_fit(model, load_local_checkpoint(path, key))
    if not fit.ok and not allow_partial:
        raise CheckpointError(
            f'{key}: checkpoint {path!r} does not fit the model '
            f'({type(_unwrapped(model)).__name__}):\n  ' +
            fit.summary().replace('\n', '\n  ') +
            '\n  Pass --allow-partial to use it anyway (what is missing '
            'keeps its initialisation).')
    return fit


def log_checkpoint_fit(model: nn.Module, path: str, logger) -> CheckpointFit:
    """Logs (warning if anything does not fit) how the keys of ``path`` fit
    ``model``: what a training run's ``load_from`` will and will not
    initialise, before the Runner loads it without ``strict``."""
    fit = checkpoint_fit(model, load_local_checkpoint(path, 'load_from'))
    text = f'load_from {path}: {fit.summary()}'
    if fit.ok:
        logger.info(text)
    else:
        logger.warning(text + '\n(what is missing keeps its initialisation)')
    return fit
