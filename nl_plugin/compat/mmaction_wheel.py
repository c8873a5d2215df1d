"""Work-around for a packaging defect of the mmaction2 1.2.0 wheel on PyPI.

``mmaction/models/localizers/__init__.py`` runs ``from .drn.drn import DRN``,
but the wheel does not ship ``mmaction/models/localizers/drn``, so ``import
mmaction.models`` raises ``ModuleNotFoundError``. Because a failed import
leaves half-registered modules behind, the fix has to be in place before the
first import.

:class:`MissingModuleFinder` is appended to the *end* of ``sys.meta_path``:
Python asks it only after every regular finder has failed to locate one of the
listed modules. When upstream ships the module, the regular finder wins and
this finder never runs, so the work-around turns into a no-op by itself.
Nothing inside site-packages is edited.
"""
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Callable, Dict, Optional

DRN_PACKAGE = 'mmaction.models.localizers.drn'
DRN_MODULE = 'mmaction.models.localizers.drn.drn'


class MissingModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Provides placeholder modules for names no other finder can locate.

    Args:
        populators (dict): Maps a full module name to a function that fills the
            new, empty module. A name that maps to ``None`` becomes an empty
            package.
    """

    def __init__(self, populators: Dict[str, Optional[Callable]]):
        self.populators = dict(populators)
        self.provided = []  # names this finder had to supply, for inspection

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in self.populators:
            return None
        is_package = any(
            name.startswith(fullname + '.') for name in self.populators)
        return importlib.machinery.ModuleSpec(
            fullname, self, is_package=is_package)

    def create_module(self, spec):
        return None  # default module creation

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__spec__.submodule_search_locations is not None:
            module.__path__ = []
        populate = self.populators[module.__name__]
        if populate is not None:
            populate(module)
        self.provided.append(module.__name__)


def _populate_drn(module: types.ModuleType) -> None:
    """Defines a ``DRN`` that explains why it cannot be built."""

    class DRN:  # noqa: D401 - placeholder with a clear message
        """Placeholder: the mmaction2 1.2.0 wheel does not ship the DRN
        localizer."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'DRN is not available: the mmaction2 1.2.0 wheel on PyPI does '
                'not '
                'ship mmaction/models/localizers/drn. Install mmaction2 from '
                'source '
                'to use DRN.')

    module.DRN = DRN


def install_drn_workaround() -> MissingModuleFinder:
    """Registers the finder once; returns the registered instance."""
    for finder in sys.meta_path:
        if isinstance(finder,
                      MissingModuleFinder) and DRN_MODULE in finder.populators:
            return finder
    finder = MissingModuleFinder({
        DRN_PACKAGE: None,
        DRN_MODULE: _populate_drn
    })
    sys.meta_path.append(finder)
    return finder
