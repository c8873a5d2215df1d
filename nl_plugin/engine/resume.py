"""``--resume``: which checkpoint to continue from, and whether it can be.

MMEngine resumes from the file that ``last_checkpoint`` names and, when that
file is empty or truncated, fails deep in ``torch.load`` with a bare
``EOFError`` and a message about ``load_from``. Here the file is read first;
an unusable one is reported with its path and what is wrong with it, and the
other checkpoints of the work dir are listed to pick from.
"""
import os
import os.path as osp
import re
from typing import List, Optional

from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.runner.checkpoint import find_latest_checkpoint

from .checkpoint_io import read_checkpoint
from .errors import CheckpointError, ConfigError

_STEP = re.compile(r'^(?:epoch|iter)_(\d+)\.pth$')
# what MMEngine's Runner.resume reads besides the weights
_RESUME_KEYS = ('meta', 'state_dict')


def checkpoints_by_step(work_dir: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` files of ``work_dir``, latest
    first."""
    if not osp.isdir(work_dir):
        return []
    found = [(int(m.group(1)), name) for name in os.listdir(work_dir)
             for m in [_STEP.match(name)] if m]
    return [osp.join(work_dir, name) for _, name in sorted(found)[::-1]]


def latest_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``last_checkpoint`` names, or, when that file is absent,
    empty or names a missing file (a run killed while writing it), the
    checkpoint of the highest step."""
    if not osp.isdir(work_dir):
        return None
    latest = find_latest_checkpoint(work_dir)
    if latest and osp.isfile(latest):
        return latest
    found = checkpoints_by_step(work_dir)
    if found:
        print_log(
            f'--resume: {osp.join(work_dir, "last_checkpoint")} names '
            f'{latest!r}, which does not exist; resuming from the latest '
            f'checkpoint file, {found[0]}',
            logger='current')
        return found[0]
    return None


def check_resumable(path: str) -> None:
    """Raises :class:`CheckpointError` naming ``path`` unless it is a
    complete Runner checkpoint; lists the other checkpoints next to it."""
    try:
        checkpoint = read_checkpoint(path, '--resume')
        if not isinstance(checkpoint, dict) or any(key not in checkpoint
                                                   for key in _RESUME_KEYS):
            raise CheckpointError(
                f'--resume: checkpoint {path!r} is unusable: it is not a '
                f'Runner checkpoint (no {" / ".join(_RESUME_KEYS)}); to '
                'start from its weights use load_from instead')
    except CheckpointError as error:
        others = [
            p for p in checkpoints_by_step(osp.dirname(path) or '.')
            if osp.abspath(p) != osp.abspath(path)
        ]
        hint = (f'\n  other checkpoints there: {", ".join(others)} (pass '
                'one with --resume PATH)' if others else '')
        raise CheckpointError(f'{error}{hint}') from error


def set_resume(cfg: Config, resume: Optional[str]) -> None:
    """Applies ``--resume``: ``None`` (off), ``'auto'`` or a checkpoint path.

    ``'auto'`` resumes from the latest checkpoint of the work dir (see
    :func:`latest_checkpoint`) if there is one, and otherwise starts normally,
    keeping the config's ``load_from`` (MMEngine would instead resume from
    ``load_from`` when it is set, e.g. from the 32-frame model of a 128-frame
    config). The chosen file must pass :func:`check_resumable`.
    """
    if resume is None:
        return
    if resume == 'auto':
        resume = latest_checkpoint(cfg.work_dir)
        if resume is None:
            return
    elif not osp.isfile(resume):
        raise ConfigError(
            f'--resume: checkpoint file {resume!r} does not exist')
    check_resumable(resume)
    cfg.load_from = resume
    cfg.resume = True
