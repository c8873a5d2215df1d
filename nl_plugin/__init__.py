"""nl_plugin: Non-local Neural Networks (Wang et al., CVPR 2018) for OpenMMLab.

``import nl_plugin`` registers every module in MMEngine's root registries, so configs
of MMAction2 and MMDetection find them by a plain ``type='...'``.
"""
from .compat import allow_mmengine_checkpoints, install_drn_workaround

install_drn_workaround()  # must precede the first import of mmaction.models
allow_mmengine_checkpoints()  # torch>=2.6 weights_only loading of Runner checkpoints

from . import datasets, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
