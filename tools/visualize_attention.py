"""See what a non-local block attends to (paper Figures 1 and 3).

Usage:
    python tools/visualize_attention.py CONFIG CHECKPOINT VIDEO \\
        [--block NAME] [--query T,Y,X | --auto] [--topk K] [--out DIR]
        [--allow-partial]

CONFIG is an MMAction2 recognizer config with an NLResNet3d backbone (VIDEO is
a video file) or an MMDetection config with an NLResNet backbone (VIDEO is an
image). Queries are cells of the block's grid: ``T,Y,X`` (``Y,X`` or ``0,Y,X``
for images); ``--query`` may be repeated. Without ``--query`` the most
concentrated queries are picked (``--auto``). Writes ``attention_<block>.png``
(rows: queries, columns: key frames), ``.gif`` (one frame per input frame) and
``.json`` into DIR and prints their paths, one per line. A checkpoint whose
keys do not fit the model (e.g. a C2D checkpoint without the NL weights) is
refused, unless ``--allow-partial``.
"""
import argparse
import os
import sys

from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import ConfigError, add_allow_partial
from nl_plugin.visualization import visualize_attention


def parse_cell(text: str):
    """``'T,Y,X'`` -> ``(t, y, x)``; ``'Y,X'`` -> ``(0, y, x)`` (images)."""
    try:
        cell = tuple(int(v) for v in text.split(','))
    except ValueError:
        cell = ()
    if len(cell) not in (2, 3) or min(cell) < 0:
        raise argparse.ArgumentTypeError(
            f'--query expects T,Y,X (or Y,X for images) as non-negative ints, '
            f'got {text!r}')
    return (0, ) + cell if len(cell) == 2 else cell


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Draw the attention of a non-local block for query '
        'positions.')
    parser.add_argument('config', help='MMAction2 / MMDetection config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('video', help='video (recognizer) or image (detector)')
    parser.add_argument(
        '--block', help='non-local block name (default: the last one)')
    queries = parser.add_mutually_exclusive_group()
    queries.add_argument(
        '--query',
        type=parse_cell,
        action='append',
        help='query cell T,Y,X on the block grid (repeatable)')
    queries.add_argument(
        '--auto',
        action='store_true',
        help='pick the queries with the most concentrated attention '
        '(the default without --query)')
    parser.add_argument(
        '--num-queries',
        type=int,
        default=3,
        help='queries picked by --auto (default 3)')
    parser.add_argument(
        '--topk',
        type=int,
        default=20,
        help='keys marked per query (default 20, as in the paper)')
    parser.add_argument(
        '--out', default='work_dirs/attention', help='output directory')
    parser.add_argument(
        '--panel-size',
        type=int,
        default=256,
        help='longer side of one frame panel in pixels')
    parser.add_argument(
        '--device', default='cpu', help='torch device (default cpu)')
    add_allow_partial(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    install_stack_fixes()
    try:
        paths = visualize_attention(
            args.config,
            args.checkpoint,
            args.video,
            args.out,
            block=args.block,
            queries=args.query,
            num_auto=args.num_queries,
            topk=args.topk,
            device=args.device,
            panel_size=args.panel_size,
            allow_partial=args.allow_partial)
    except ConfigError as error:
        sys.exit(f'{os.path.basename(__file__)}: {error}')
    for path in paths.values():
        print(path)


if __name__ == '__main__':
    main()
