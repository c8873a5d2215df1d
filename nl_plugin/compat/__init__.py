"""Compatibility fixes for the pinned OpenMMLab stack, applied on ``import nl_plugin``."""
from .mmaction_wheel import MissingModuleFinder, install_drn_workaround

__all__ = ['MissingModuleFinder', 'install_drn_workaround']
