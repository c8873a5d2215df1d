"""Importing this module installs the stack fixes (see
:func:`nl_plugin.compat.install_stack_fixes`); ``nl_plugin.action`` and
``nl_plugin.det`` import it first, before any mmaction / mmdet model."""
from . import install_stack_fixes

install_stack_fixes()
