"""Command-line arguments that tools/train.py and tools/test.py share."""
import argparse
import os

from mmengine.config import DictAction

from .launch import LAUNCHERS


def add_runner_arguments(parser: argparse.ArgumentParser,
                         cfg_example: str) -> None:
    """``--cfg-options``, ``--launcher`` and ``--local-rank``."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help=f'override config keys, e.g. {cfg_example}')
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
