"""Finds ``type=...`` entries of a config that no registry knows."""
import difflib
from typing import Any, Iterator, List, Sequence, Tuple

from mmengine import registry as R

# Top-level key -> registries in which the ``type`` entries below it resolve.
SECTION_REGISTRIES = {
    'model': (R.MODELS, R.TASK_UTILS, R.WEIGHT_INITIALIZERS),
    'train_dataloader':
    (R.DATASETS, R.TRANSFORMS, R.DATA_SAMPLERS, R.FUNCTIONS),
    'val_dataloader': (R.DATASETS, R.TRANSFORMS, R.DATA_SAMPLERS, R.FUNCTIONS),
    'test_dataloader':
    (R.DATASETS, R.TRANSFORMS, R.DATA_SAMPLERS, R.FUNCTIONS),
    'val_evaluator': (R.METRICS, R.EVALUATOR),
    'test_evaluator': (R.METRICS, R.EVALUATOR),
    'optim_wrapper': (R.OPTIM_WRAPPERS, R.OPTIMIZERS),
    'param_scheduler': (R.PARAM_SCHEDULERS, ),
    'default_hooks': (R.HOOKS, ),
    'custom_hooks': (R.HOOKS, ),
    'train_cfg': (R.LOOPS, ),
    'val_cfg': (R.LOOPS, ),
    'test_cfg': (R.LOOPS, ),
    'visualizer': (R.VISUALIZERS, R.VISBACKENDS),
    'vis_backends': (R.VISBACKENDS, ),
    'log_processor': (R.LOG_PROCESSORS, ),
    'model_wrapper_cfg': (R.MODEL_WRAPPERS, ),
}

# Keys whose ``type`` is looked up in ``mmcv.ops`` rather than a registry:
# mmcv's ``batched_nms`` reads ``nms=dict(type='nms')``, MMDetection's RoI
# extractors ``roi_layer=dict(type='RoIAlign')``.
NOT_REGISTERED_KEYS = ('nms', 'roi_layer')


def iter_types(node: Any, key: str,
               scope: str) -> Iterator[Tuple[str, str, str]]:
    """Yields ``(key, type name, scope)`` for every string ``type`` below
    ``node``.

    ``key`` is the dotted path of ``node`` (``model.backbone``); a ``_scope_``
    entry changes the scope for its dict and everything below it.
    """
    if isinstance(node, dict):
        scope = node.get('_scope_', scope)
        if isinstance(node.get('type'), str):
            yield f'{key}.type', node['type'], scope
        for name, value in node.items():
            if name not in ('type', '_scope_') + NOT_REGISTERED_KEYS:
                yield from iter_types(value, f'{key}.{name}', scope)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from iter_types(value, f'{key}[{i}]', scope)


def _lookup(registry, scope: str, type_name: str):
    """``type_name`` in ``scope``'s child of ``registry`` (and its parents).

    Falls back to the root registry when the scope's registry cannot import its
    locations (mmaction2 1.2.0's FUNCTIONS points at a missing module), which
    is also where the Runner itself looks in that case.
    """
    try:
        with registry.switch_scope_and_registry(scope) as scoped:
            return scoped.get(type_name)
    except ImportError:
        return registry.get(type_name)


def _known(type_name: str, scope: str, registries: Sequence) -> bool:
    return any(_lookup(r, scope, type_name) is not None for r in registries)


def _candidates(scope: str, registries: Sequence) -> List[str]:
    names = []
    for registry in registries:
        try:
            with registry.switch_scope_and_registry(scope) as scoped:
                node = scoped
        except ImportError:
            node = registry
        while node is not None:  # the scope's registry and its parents
            names.extend(node.module_dict)
            node = node.parent
    return names


def unknown_types(cfg: dict, default_scope: str,
                  sections: Sequence[str]) -> List[str]:
    """One message per unregistered ``type`` in the given top-level sections.

    Args:
        cfg (dict): The config.
        default_scope (str): Scope used where no ``_scope_`` says otherwise.
        sections (Sequence[str]): Top-level keys to check (see
            ``SECTION_REGISTRIES``); missing ones are skipped.

    Returns:
        list[str]: e.g. ``"model.backbone.type: unknown type 'NLResNet3D' in
        scope 'mmaction' (did you mean 'NLResNet3d'?)"``.
    """
    errors = []
    for section in sections:
        registries = SECTION_REGISTRIES[section]
        for key, type_name, scope in iter_types(
                cfg.get(section), section, default_scope):
            if _known(type_name, scope, registries):
                continue
            close = difflib.get_close_matches(
                type_name, _candidates(scope, registries), n=3)
            hint = (f" (did you mean {', '.join(map(repr, close))}?)"
                    if close else '')
            errors.append(
                f'{key}: unknown type {type_name!r} in scope {scope!r}{hint}')
    return errors
