"""Which OpenMMLab default scope a config belongs to."""
from mmengine.config import Config
from mmengine.registry import MODELS

KNOWN_SCOPES = ('mmaction', 'mmdet')


def _registered_in(scope: str, type_name: str) -> bool:
    """Whether ``scope``'s own MODELS registry (not its parent) holds ``type_name``."""
    with MODELS.switch_scope_and_registry(scope) as registry:
        return registry.scope == scope and type_name in registry.module_dict


def detect_default_scope(cfg: Config) -> str:
    """The config's ``default_scope``, else the scope that registers its model.

    MMAction2 and MMDetection bases set ``default_scope`` themselves; a config
    written from scratch may not. Then the scope is the one whose registry
    defines ``model.type`` (``_scope_`` on the model wins), else ``'mmengine'``.

    Args:
        cfg (Config): A loaded config.

    Returns:
        str: The scope name.
    """
    if cfg.get('default_scope'):
        return cfg.default_scope
    model = cfg.get('model') or {}
    if model.get('_scope_'):
        return model['_scope_']
    type_name = model.get('type')
    if isinstance(type_name, str):
        if '.' in type_name:
            return type_name.split('.', 1)[0]
        for scope in KNOWN_SCOPES:
            if _registered_in(scope, type_name):
                return scope
    return 'mmengine'
