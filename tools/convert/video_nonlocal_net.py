"""Converts a Kinetics model released with facebookresearch/video-nonlocal-net
(a Caffe2 ``.pkl``) into an MMEngine checkpoint for its nl_plugin config.

Usage:
    python tools/convert/video_nonlocal_net.py SRC.pkl DST.pth
        [--model NAME] [--config CONFIG] [--allow-partial]

NAME is the released file's stem (e.g. ``i3d_nonlocal_32x2_IN_pretrain_400k``)
and is read from SRC's file name when it is one; CONFIG defaults to
``configs/recognition/video_nonlocal_net/<architecture>_kinetics400-rgb.py``.
The file is unpickled with numpy arrays allowed and nothing else. A report
lists the blobs mapped, the folds, the blobs left unused and the parameters
left unset; anything unused or unset is an error (nothing is written) unless
``--allow-partial``. The converted weights keep the models' CC-BY-NC 4.0
licence.
"""
import argparse
import os.path as osp
import sys

from nl_plugin.action.convert import (ARCHITECTURES, UnsafePickleError,
                                      convert_file, infer_released_model,
                                      released_model)
from nl_plugin.compat import install_stack_fixes

CONFIGS = osp.join(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs',
    'recognition', 'video_nonlocal_net')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='the released .pkl')
    parser.add_argument('dst', help='the checkpoint to write (.pth)')
    parser.add_argument(
        '--model',
        help='released model stem (default: from the file name), one of '
        f'{list(ARCHITECTURES)} or the other releases of their architectures')
    parser.add_argument(
        '--config',
        help='config of the target model (default: the released model\'s)')
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='write what converted even if blobs are unused or parameters '
        'unset')
    return parser.parse_args(argv)


def target_config(args: argparse.Namespace) -> str:
    """The config to convert for: ``--config``, else the released model's."""
    if args.config:
        return args.config
    released = released_model(args.model) if args.model else \
        infer_released_model(args.src)
    if released is None:
        raise ValueError(
            f'cannot tell which released model {args.src!r} is from its file '
            f'name: pass --model NAME (one of {list(ARCHITECTURES)}) or '
            '--config CONFIG')
    return osp.join(CONFIGS, f'{released.architecture}_kinetics400-rgb.py')


def main(argv=None) -> int:
    args = parse_args(argv)
    install_stack_fixes()
    tool = osp.basename(__file__)
    try:
        config = target_config(args)
        report = convert_file(args.src, args.dst, config, args.allow_partial)
    except (ValueError, UnsafePickleError, FileNotFoundError) as error:
        print(f'{tool}: {error}', file=sys.stderr)
        return 1
    print(f'{args.src} -> {args.dst} (model of {config})\n{report.format()}')
    if not report.complete:
        print(
            f'{tool}: partial conversion written (--allow-partial)',
            file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
