"""Params and FLOPs of the model a config builds (MMEngine's analyzer).

FLOPs are multiply-adds, counted by tracing one forward pass on a zero input;
the non-local blocks' matmuls (incl. ``scaled_dot_product_attention``) count.

Usage:
    python tools/analysis/get_complexity.py CONFIG [CONFIG ...]
        [--shape 1 1 3 32 224 224] [--baseline CONFIG] [--markdown]
    python tools/analysis/get_complexity.py configs/detection/X.py
        --shape 1 3 800 1216

``--baseline CONFIG`` adds each model's params and FLOPs as ratios to that
model's (the paper's Table 2e gives them relative to C2D R101).
"""
import argparse
import os
import sys

from mmengine.config import Config

from nl_plugin.analysis import complexity
from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import build_model

VIDEO_SHAPES = {
    '128x1x1': (1, 1, 3, 128, 224, 224),
    'default': (1, 1, 3, 32, 224, 224)
}


def default_shape(config_path: str):
    if 'detection' in config_path:
        return (1, 3, 800, 1216)
    return VIDEO_SHAPES['128x1x1' if '128x1x1' in config_path else 'default']


def measure(path: str, shape=None):
    """``(input shape, params, FLOPs)`` of the model of config ``path``."""
    shape = tuple(shape) if shape else default_shape(path)
    result = complexity(build_model(Config.fromfile(path)), shape)
    return shape, result['params'], result['flops']


def _name(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('configs', nargs='+')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        help='input shape; default (1, 1, 3, T, 224, 224) with T = 32 '
        'or 128 from the config name, (1, 3, 800, 1216) for detection')
    parser.add_argument(
        '--baseline',
        metavar='CONFIG',
        help='also print each model\'s params and FLOPs as ratios to those '
        'of this config (measured with the same --shape rule)')
    parser.add_argument(
        '--markdown', action='store_true', help='one table row each')
    args = parser.parse_args()
    install_stack_fixes()
    base = measure(args.baseline, args.shape) if args.baseline else None
    for path in args.configs:
        shape, params, flops = measure(path, args.shape)
        ratios = (params / base[1], flops / base[2]) if base else None
        if args.markdown:
            row = (f'| {_name(path)} | {"x".join(map(str, shape[-4:]))} '
                   f'| {params / 1e6:.1f} | {flops / 1e9:.1f} |')
            if ratios:
                row += f' {ratios[0]:.2f}x | {ratios[1]:.2f}x |'
            print(row)
        else:
            print(f'{_name(path)}\n  input {shape}\n  params '
                  f'{params / 1e6:.2f} M\n  FLOPs {flops / 1e9:.2f} G')
            if ratios:
                print(f'  vs {_name(args.baseline)}: params {ratios[0]:.3f}x,'
                      f' FLOPs {ratios[1]:.3f}x')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
