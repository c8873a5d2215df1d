"""Compatibility fixes for the pinned OpenMMLab stack.

Applied by ``import nl_plugin.action`` / ``nl_plugin.det`` and by the tools,
before any config is read.
"""
from .mmaction_wheel import MissingModuleFinder, install_drn_workaround
from .torch_load import allow_mmengine_checkpoints


def install_stack_fixes() -> None:
    """Both fixes (idempotent): the mmaction2 wheel's missing DRN module, which
    must precede the first ``import mmaction.models``, and the allow-list that
    lets torch>=2.6 load MMEngine Runner checkpoints with ``weights_only``."""
    install_drn_workaround()
    allow_mmengine_checkpoints()


__all__ = [
    'MissingModuleFinder', 'install_drn_workaround',
    'allow_mmengine_checkpoints', 'install_stack_fixes'
]
