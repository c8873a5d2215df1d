"""Checkpoints that a kill at any moment cannot take away.

MMEngine's ``CheckpointHook`` writes a checkpoint in place, and with
``max_keep_ckpts`` deletes the oldest one *before* writing the new one: a run
killed during the write leaves a partial file (a 0-byte one gives a bare
``EOFError`` on resume) and, with ``max_keep_ckpts=1``, nothing to resume from.

:class:`AtomicCheckpointHook` is that hook with two changes:

* every checkpoint is written through :class:`AtomicLocalBackend`: to
  ``<name>.tmp`` in the same folder, flushed to disk, then renamed into place
  (``os.replace``, atomic on POSIX and Windows), so a checkpoint file is either
  complete or absent;
* checkpoints that fall out of ``max_keep_ckpts``, and the previous best one,
  are deleted only after the new checkpoint is in place.

``tools/train.py`` uses it wherever a config asks for ``CheckpointHook``.
"""
import inspect
import os
import os.path as osp
from contextlib import contextmanager
from typing import List, Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

from .path_check import is_remote

ATOMIC_BACKEND = 'atomic_local'


class AtomicLocalBackend(LocalBackend):
    """MMEngine's local file backend whose ``put`` is atomic."""

    def put(self, obj: bytes, filepath: Union[str, os.PathLike]) -> None:
        """Writes ``obj`` to ``filepath.tmp``, syncs it and renames it to
        ``filepath``; a previous temporary file of that name is replaced."""
        filepath = str(filepath)
        os.makedirs(osp.dirname(filepath) or '.', exist_ok=True)
        tmp = f'{filepath}.tmp'
        with open(tmp, 'wb') as f:
            f.write(obj)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)


register_backend(ATOMIC_BACKEND, AtomicLocalBackend, force=True)


class _DeferredRemoval:
    """A file backend whose ``remove`` / ``rmtree`` wait for :meth:`flush`."""

    def __init__(self, backend):
        self._backend = backend
        self._pending: List[tuple] = []

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def remove(self, path) -> None:
        self._pending.append((self._backend.remove, path))

    def rmtree(self, path) -> None:
        self._pending.append((self._backend.rmtree, path))

    def flush(self, keep=()) -> None:
        """Deletes what was asked for, except the paths in ``keep``."""
        for remove, path in self._pending:
            if path not in keep and self._backend.exists(path):
                remove(path)


_HOOK_ARGS = inspect.signature(CheckpointHook.__init__)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` (same arguments) with atomic writes and deletions
    after the save, see the module docstring.

    Atomic writes apply to local ``out_dir`` (the default, the work dir) when
    neither ``backend_args`` nor ``file_client_args`` is given.
    """

    def __init__(self, *args, **kwargs):
        given = _HOOK_ARGS.bind(self, *args, **kwargs).arguments
        local = not is_remote(str(given.get('out_dir') or ''))
        if local and given.get('backend_args') is None and \
                given.get('file_client_args') is None:
            kwargs['backend_args'] = dict(backend=ATOMIC_BACKEND)
        super().__init__(*args, **kwargs)

    @contextmanager
    def _removals_after_save(self):
        """Holds back the deletions of the body until it has returned."""
        if isinstance(self.file_backend, _DeferredRemoval):  # nested
            yield
            return
        backend, deferred = self.file_backend, _DeferredRemoval(
            self.file_backend)
        self.file_backend = deferred
        try:
            yield
        finally:
            self.file_backend = backend
        deferred.flush(keep=self._saved_paths())  # only once saved

    def _saved_paths(self) -> set:
        """The latest and the best checkpoints (never deleted)."""
        paths = {getattr(self, 'last_ckpt', None)}
        paths.add(getattr(self, 'best_ckpt_path', None))
        paths.update(getattr(self, 'best_ckpt_path_dict', {}).values())
        return paths

    def _save_checkpoint_with_step(self, runner, step, meta):
        with self._removals_after_save():
            super()._save_checkpoint_with_step(runner, step, meta)

    def _save_best_checkpoint(self, runner, metrics) -> None:
        with self._removals_after_save():
            super()._save_best_checkpoint(runner, metrics)
