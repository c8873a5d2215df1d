"""Params and FLOPs of the model a config builds (MMEngine's analyzer).

FLOPs are multiply-adds, counted by tracing one forward pass on a zero input;
the non-local blocks' matmuls (incl. ``scaled_dot_product_attention``) count.

Usage:
    python tools/analysis/get_complexity.py CONFIG [CONFIG ...] [--shape 1 1 3
    32 224 224] python tools/analysis/get_complexity.py configs/detection/X.py
    --shape 1 3 800 1216
"""
import argparse
import os
import sys

from mmengine.config import Config
from mmengine.registry import MODELS, DefaultScope

from nl_plugin.analysis import complexity
from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import config_scope

VIDEO_SHAPES = {
    '128x1x1': (1, 1, 3, 128, 224, 224),
    'default': (1, 1, 3, 32, 224, 224)
}


def default_shape(config_path: str):
    if 'detection' in config_path:
        return (1, 3, 800, 1216)
    return VIDEO_SHAPES['128x1x1' if '128x1x1' in config_path else 'default']


def build_model(cfg: Config):
    model_cfg = cfg.model
    backbone = model_cfg.get('backbone', {})
    backbone.pop('pretrained', None)  # no weights needed to count
    if backbone.get('init_cfg',
                    {}) and backbone['init_cfg'].get('type') == 'Pretrained':
        backbone.pop('init_cfg')
    scope = config_scope(cfg)
    __import__(f'{scope}.models')
    with DefaultScope.overwrite_default_scope(scope):
        return MODELS.build(model_cfg)


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
        '--markdown', action='store_true', help='one table row each')
    args = parser.parse_args()
    install_stack_fixes()
    for path in args.configs:
        shape = tuple(args.shape) if args.shape else default_shape(path)
        result = complexity(build_model(Config.fromfile(path)), shape)
        name = os.path.splitext(os.path.basename(path))[0]
        params, gflops = result['params'] / 1e6, result['flops'] / 1e9
        if args.markdown:
            print(
                f'| {name} | {"x".join(map(str, shape[-4:]))} | {params:.1f} '
                f'| {gflops:.1f} |')
        else:
            print(f'{name}\n  input {shape}\n  params {params:.2f} M\n  FLOPs '
                  f'{gflops:.2f} G')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
