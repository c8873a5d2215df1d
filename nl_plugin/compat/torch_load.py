"""Lets ``torch.load(weights_only=True)`` read checkpoints saved by MMEngine's
Runner.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``, and MMEngine
0.10.7 calls it without ``weights_only``, so resuming (``--resume``) or
``load_from`` a Runner checkpoint fails with ``UnpicklingError``: besides
tensors, such a checkpoint holds the message hub's ``HistoryBuffer`` logs
(numpy arrays and scalars).

Rather than turning ``weights_only`` off for every file (a checkpoint from the
internet would then be code), :func:`allow_mmengine_checkpoints` allow-lists
exactly the globals a Runner checkpoint needs, as listed by
``torch.serialization.get_unsafe_globals_in_checkpoint`` on one:

* ``mmengine.logging.history_buffer.HistoryBuffer``;
* numpy's ``ndarray``, ``dtype``, ``_core.multiarray._reconstruct`` and
  ``_core.multiarray.scalar`` (also under their numpy 1.x path ``numpy.core``),
  and the classes of the numeric dtypes (``numpy.dtypes.Float64DType`` ...),
  whose instances the unpickler builds;
* ``builtins.getattr``, which a ``HistoryBuffer`` uses to pickle its statistics
  methods (``getattr(HistoryBuffer, 'mean')``). It is bound to a restricted
  version that only returns public methods of ``HistoryBuffer``.
"""
import pickle
from typing import Any, List, Tuple

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

_NUMPY_CORE = getattr(np, '_core', None) or np.core  # numpy 2.x / 1.x
_NUMERIC_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8',
                   'uint16', 'uint32', 'uint64', 'float16', 'float32',
                   'float64')


def history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to the public methods of ``HistoryBuffer``.

    Stands in for ``builtins.getattr`` while unpickling with
    ``weights_only=True``.

    Raises:
        pickle.UnpicklingError: for any other object or attribute.
    """
    if obj is HistoryBuffer and not name.startswith('_') and \
            callable(getattr(HistoryBuffer, name, None)):
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}); nl_plugin only '
        'allows '
        'public methods of mmengine HistoryBuffer. Load only checkpoints you '
        'trust '
        'with weights_only=False.')


def checkpoint_safe_globals() -> List[Tuple[Any, str]]:
    """``(object, pickled name)`` pairs a Runner checkpoint needs."""
    pairs = [(HistoryBuffer, 'mmengine.logging.history_buffer.HistoryBuffer'),
             (np.ndarray, 'numpy.ndarray'), (np.dtype, 'numpy.dtype'),
             (history_buffer_getattr, 'builtins.getattr')]
    for dtype in _NUMERIC_DTYPES:
        cls = type(np.dtype(dtype))  # numpy.dtypes.Float64DType ...
        pairs.append((cls, f'numpy.dtypes.{cls.__name__}'))
    for package in ('numpy._core', 'numpy.core'):  # written by numpy 2.x / 1.x
        pairs += [(_NUMPY_CORE.multiarray._reconstruct,
                   f'{package}.multiarray._reconstruct'),
                  (_NUMPY_CORE.multiarray.scalar,
                   f'{package}.multiarray.scalar')]
    return pairs


def allow_mmengine_checkpoints() -> List[str]:
    """Allow-lists the globals of MMEngine Runner checkpoints (idempotent).

    Does nothing on a torch without ``add_safe_globals`` (< 2.4), which does
    not default to ``weights_only=True`` either.

    Returns:
        list[str]: The pickled names now allowed.
    """
    serialization = torch.serialization
    if not hasattr(serialization, 'add_safe_globals'):
        return []
    pairs = checkpoint_safe_globals()
    serialization.add_safe_globals(pairs)
    return [name for _, name in pairs]
