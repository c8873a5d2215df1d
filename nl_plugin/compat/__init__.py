"""Compatibility fixes for the pinned OpenMMLab stack, applied on ``import nl_plugin``."""
from .mmaction_wheel import MissingModuleFinder, install_drn_workaround
from .torch_load import allow_mmengine_checkpoints

__all__ = ['MissingModuleFinder', 'install_drn_workaround', 'allow_mmengine_checkpoints']
