"""Exports a trained recognizer to ONNX and checks it against PyTorch with
ONNX Runtime.

Usage:
    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out MODEL.onnx
        (--shape T H W | --video VIDEO) [--opset 17] [--tolerance 1e-4]
        [--cfg-options KEY=VALUE ...]

The graph maps ``clips`` (N, 3, T, H, W), float32 RGB in [0, 255] as the
config's test pipeline gives them (resized / cropped, not normalised), with a
dynamic N, to ``logits`` and ``probs`` (N, classes); average ``probs`` over a
video's views for its class scores. ``--video`` takes (T, H, W) from that
video's test views and checks them too. ONNX Runtime and PyTorch must agree
within ``--tolerance`` on every check (printed); the exit code is 1 otherwise.
Needs ``onnx`` and ``onnxruntime`` (``pip install -e .[deploy]``).
"""
import argparse
import sys

import torch

from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import add_cfg_options


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', required=True, help='the .onnx file')
    shape = parser.add_mutually_exclusive_group(required=True)
    shape.add_argument(
        '--shape',
        type=int,
        nargs=3,
        metavar=('T', 'H', 'W'),
        help='frames, height and width of one clip')
    shape.add_argument(
        '--video', help='a video whose test views give the clip shape')
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument(
        '--tolerance',
        type=float,
        default=1e-4,
        help='largest absolute difference allowed (default 1e-4)')
    add_cfg_options(parser, cfg_example='model.cls_head.num_classes=400')
    return parser.parse_args(argv)


def check_inputs(model, args):
    """``{name: clips}`` to compare on: random clips in batches other than
    the export's, and the video's test views."""
    from nl_plugin.action.inference.video_scores import (read_or_error,
                                                         test_pipeline)
    checks = {}
    shape = args.shape
    if args.video:
        data, error = read_or_error(test_pipeline(model.cfg), args.video)
        if error:
            sys.exit(f'export_onnx.py: cannot read {args.video}: {error}')
        views = data['inputs'].float()  # (V, 3, T, H, W)
        checks[f'{args.video} ({len(views)} views)'] = views
        shape = views.shape[2:]
    generator = torch.Generator().manual_seed(0)
    for batch in (1, 3):
        checks[f'random clips, batch {batch}'] = torch.rand(
            batch, 3, *shape, generator=generator) * 255
    return tuple(shape), checks


def main(argv=None) -> int:
    args = parse_args(argv)
    install_stack_fixes()
    from nl_plugin.action.inference import load_recognizer
    from nl_plugin.action.inference.onnx_export import (ExportError,
                                                        compare_with_pytorch,
                                                        export_onnx,
                                                        onnxruntime_session)
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        sys.exit('export_onnx.py needs onnx and onnxruntime: '
                 'pip install -e .[deploy]')
    try:
        model = load_recognizer(
            args.config,
            args.checkpoint,
            'cpu',
            args.cfg_options,
            new_cfg_options=args.new_cfg_options)
        shape, checks = check_inputs(model, args)
        export_onnx(model, args.out, shape, opset=args.opset)
    except (ExportError, OSError, ValueError, RuntimeError) as err:
        sys.exit(f'export_onnx.py: {err}')
    print(f'wrote {args.out}: clips (N, 3, {shape[0]}, {shape[1]}, '
          f'{shape[2]}) -> logits, probs (N, {model.cls_head.num_classes})')
    print('ONNX Runtime vs PyTorch, largest absolute difference:')
    session, worst = onnxruntime_session(args.out), 0.0
    for name, clips in checks.items():
        diffs = compare_with_pytorch(model, session, clips)
        worst = max(worst, *diffs.values())
        print(f"  {name}: logits {diffs['logits']:.2e}, "
              f"probs {diffs['probs']:.2e}")
    ok = worst <= args.tolerance
    print(f"{'OK' if ok else 'FAILED'}: largest difference {worst:.2e} "
          f"{'<=' if ok else '>'} tolerance {args.tolerance:g}")
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
