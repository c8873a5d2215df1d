"""Command-line arguments that the tools share."""
import argparse
import os

from mmengine.config import DictAction

from .cfg_options import NEW_KEYS_OPTION
from .launch import LAUNCHERS


def add_cfg_options(parser: argparse.ArgumentParser, cfg_example: str) -> None:
    """``--cfg-options KEY=VALUE ...`` and ``--new-cfg-options``."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help=f'override config keys, e.g. {cfg_example}')
    parser.add_argument(
        NEW_KEYS_OPTION,
        nargs='+',
        action=DictAction,
        default={},
        metavar='KEY=VALUE',
        help='add config keys that do not exist yet (--cfg-options refuses '
        'unknown keys, e.g. misspelt ones)')


def add_runner_arguments(parser: argparse.ArgumentParser,
                         cfg_example: str) -> None:
    """``--cfg-options``, ``--new-cfg-options``, ``--launcher`` and
    ``--local-rank``."""
    add_cfg_options(parser, cfg_example)
    parser.add_argument(
        '--launcher',
        choices=list(LAUNCHERS),
        default='none',
        help='how the processes were started')
    parser.add_argument(
        '--local-rank',
        '--local_rank',
        type=int,
        default=0,
        help='set by torch.distributed.launch')


def parse_runner_args(parser: argparse.ArgumentParser,
                      argv=None) -> argparse.Namespace:
    """Parses ``argv``; exports ``LOCAL_RANK`` for launchers that pass
    ``--local-rank``."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def add_allow_partial(parser: argparse.ArgumentParser) -> None:
    """``--allow-partial``: use a checkpoint whose keys do not all fit."""
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='use the checkpoint even if its keys do not fit the model '
        '(missing weights keep their initialisation); refused otherwise')


def add_video_tool_arguments(parser: argparse.ArgumentParser) -> None:
    """``CONFIG CHECKPOINT INPUT ...``, ``--video-root``, ``--device``,
    ``--no-progress`` and ``--allow-partial`` of the tools that run a trained
    recognizer on videos."""
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        'inputs', nargs='+', help='video files, folders or list files')
    parser.add_argument(
        '--video-root',
        help='folder that relative paths in list files start from '
        "(default: the list file's folder)")
    parser.add_argument(
        '--device',
        help='torch device (default: the GPU of this process if any, else '
        'cpu)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    add_allow_partial(parser)
