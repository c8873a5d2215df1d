"""``--cfg-options`` keys must name something: a misspelt key would add a new
entry that nothing reads, and the run would silently do something else.

A key is known if it is in the config, or is an argument of what reads it:
the Runner (top-level keys), the ``type`` of the dict it goes into (its
constructor's arguments, over its base classes), a ``DataLoader`` (the
``*_dataloader`` dicts), MMEngine's optimizer-wrapper constructor, the NL
block (``non_local_cfg``) or the Runner's ``randomness`` / ``env_cfg``. New
keys on purpose go through ``--new-cfg-options``, which is not checked.
"""
import difflib
import inspect
from typing import Any, List, Optional, Sequence, Set

from mmengine.runner import Runner
from torch.utils.data import DataLoader

from ..blocks import NonLocalBlockNd
from .type_check import SECTION_REGISTRIES, lookup

NEW_KEYS_OPTION = '--new-cfg-options'
_OPTIM_CONSTRUCTOR_KEYS = ('constructor', 'paramwise_cfg')
# dicts without ``type`` whose reader is known by their key
_ARGUMENTS_OF = {
    'non_local_cfg': NonLocalBlockNd,
    'randomness': Runner.set_randomness,
}
_ENV_CFG_KEYS = ('cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit')


def _arguments(func) -> Set[str]:
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return set()
    return {
        p.name
        for p in params
        if p.name != 'self' and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def constructor_arguments(obj) -> Set[str]:
    """Named arguments of a class's ``__init__`` (over its MRO) or of a
    function."""
    if not inspect.isclass(obj):
        return _arguments(obj)
    names = set()
    for cls in inspect.getmro(obj):
        if '__init__' in vars(cls) and cls is not object:
            names |= _arguments(vars(cls)['__init__'])
    return names


def _type_arguments(node: dict, section: str, scope: str) -> Set[str]:
    kind = node.get('type')
    if not isinstance(kind, str):
        return constructor_arguments(kind) if kind is not None else set()
    for registry in SECTION_REGISTRIES.get(section, ()):
        obj = lookup(registry, scope, kind)
        if obj is not None:
            return constructor_arguments(obj)
    return set()


def _known(node: dict, path: Sequence[str], scope: str) -> Set[str]:
    """Keys that may be set in ``node``, the value at ``path``."""
    known = set(node)
    if not path:
        return known | constructor_arguments(Runner)
    if 'type' in node:
        known |= _type_arguments(node, path[0], scope)
    if path[-1] in _ARGUMENTS_OF:
        known |= constructor_arguments(_ARGUMENTS_OF[path[-1]])
    if path == ['env_cfg']:  # read by Runner.setup_env
        known |= set(_ENV_CFG_KEYS)
    if len(path) == 1 and path[0].endswith('_dataloader'):
        known |= constructor_arguments(DataLoader)
    if len(path) == 1 and path[0] == 'optim_wrapper':
        known |= set(_OPTIM_CONSTRUCTOR_KEYS)
    return known


def _unknown(cfg: dict, key: str, scope: str) -> Optional[str]:
    """Why ``key`` (dotted) names nothing in ``cfg``, or ``None``."""
    node: Any = cfg
    parts = key.split('.')
    for i, part in enumerate(parts):
        here = '.'.join(parts[:i + 1])
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                return (f'{".".join(parts[:i])} is a list of {len(node)}; '
                        f'{part!r} is not one of its indices')
            node = node[int(part)]
        elif isinstance(node, dict):
            if part in node:
                node = node[part]
                continue
            known = _known(node, parts[:i], scope)
            if part in known:
                return None  # an argument the config leaves at its default
            close = difflib.get_close_matches(part, sorted(known), n=1)
            hint = (f" (did you mean '{'.'.join(parts[:i] + close)}'?)"
                    if close else '')
            return f'unknown key {here!r}{hint}'
        else:
            parent = '.'.join(parts[:i])
            return (f'{parent} is {node!r}, not a dict: set {parent} as a '
                    'whole')
    return None


def unknown_option_errors(cfg: dict, options: dict, scope: str) -> List[str]:
    """One message per ``--cfg-options`` key that names nothing in ``cfg``
    (a plain dict of the loaded config)."""
    errors = []
    for key in options:
        reason = _unknown(cfg, key, scope)
        if reason:
            errors.append(f'--cfg-options {key}: {reason}; to add a new key '
                          f'on purpose, pass it with {NEW_KEYS_OPTION}')
    return errors
