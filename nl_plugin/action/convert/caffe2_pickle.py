"""Reading the authors' Caffe2 model files without running their code.

A ``.pkl`` of facebookresearch/video-nonlocal-net is a Python 2 pickle
(protocol 2) of ``{'blobs': {name: ndarray}}`` (the helper scripts of its
``process_data/convert_models`` write the dict without the ``blobs``
wrapper). A pickle can import and call anything; :func:`load_blobs` unpickles
with an allow-list of exactly what numpy arrays need and refuses the file at
the first other global it asks for, before anything is called.
"""
import pickle
from typing import Any, Dict

import numpy as np

from ...compat.torch_load import _NUMPY_CORE

_RECONSTRUCT = _NUMPY_CORE.multiarray._reconstruct
_SCALAR = _NUMPY_CORE.multiarray.scalar
# (module, name) -> object, as numpy 1.x / 2.x and Python 2 / 3 write them
_ALLOWED = {
    ('numpy', 'ndarray'): np.ndarray,
    ('numpy', 'dtype'): np.dtype,
    ('numpy.core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy._core.multiarray', '_reconstruct'): _RECONSTRUCT,
    ('numpy.core.multiarray', 'scalar'): _SCALAR,
    ('numpy._core.multiarray', 'scalar'): _SCALAR,
}


class UnsafePickleError(pickle.UnpicklingError):
    """The file asks the unpickler for something other than numpy arrays."""


def _latin1_encode(text: str, encoding: str) -> bytes:
    """``_codecs.encode`` as Python 3 pickles bytes at protocol 2, for latin-1
    only."""
    if encoding not in ('latin1', 'latin-1') or not isinstance(text, str):
        raise UnsafePickleError(
            f'the pickle calls _codecs.encode(..., {encoding!r}); only the '
            'latin-1 encoding of byte strings is allowed')
    return text.encode('latin1')


class _ArraysOnly(pickle.Unpickler):
    """Unpickler that resolves numpy's array globals and nothing else."""

    def __init__(self, file, path: str):
        super().__init__(file, encoding='latin1')  # Python 2 str -> latin-1
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return _ALLOWED[module, name]
        if (module, name) == ('_codecs', 'encode'):
            return _latin1_encode
        raise UnsafePickleError(
            f'refusing to load {self.path!r}: it asks for {module}.{name}, '
            'and a video-nonlocal-net model file holds only numpy arrays. '
            'Loading it could run code; nothing was executed.')


def load_blobs(path: str) -> Dict[str, Any]:
    """The ``{name: value}`` blobs of a Caffe2 model pickle.

    Args:
        path (str): A ``.pkl`` written by the official code (``{'blobs':
            {...}}``) or by its conversion scripts (the flat dict).

    Returns:
        dict: Blob name -> ``np.ndarray`` (or the plain numbers
        ``model_iter`` / ``lr`` the files also hold).

    Raises:
        UnsafePickleError: if the file asks for anything but numpy arrays.
        ValueError: if it holds no dict of blobs.
    """
    with open(path, 'rb') as f:
        content = _ArraysOnly(f, path).load()
    if isinstance(content, dict) and isinstance(content.get('blobs'), dict):
        content = content['blobs']
    if not isinstance(content, dict) or not all(
            isinstance(k, str) for k in content):
        raise ValueError(
            f'{path!r} holds no dict of named blobs (got '
            f'{type(content).__name__}); is it a video-nonlocal-net model?')
    return content
