"""Classifies videos with a trained recognizer: top-k classes with names and
probabilities.

Usage:
    python tools/infer.py CONFIG CHECKPOINT VIDEO_OR_FOLDER_OR_LIST ...
        [--topk 5] [--label-map FILE] [--out results.json]
        [--video-root DIR] [--device cpu|cuda:0] [--cfg-options KEY=VALUE ...]

Each video is scored as the config's test does: the softmax of its test views
(e.g. 10 clips) averaged. Inputs may be video files, folders (searched
recursively) and list files (.txt: one video a line, or MMAction2's
``path label`` lines). Kinetics-400 configs print the Kinetics-400 class
names unless ``--label-map`` gives others. An unreadable video is reported and
skipped; the exit code is 1 if any failed.
"""
import argparse
import sys

from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import add_cfg_options, add_video_tool_arguments


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_video_tool_arguments(parser)
    parser.add_argument(
        '--topk', type=int, default=5, help='classes per video (default 5)')
    parser.add_argument(
        '--label-map',
        help='class names, one a line (default: the Kinetics-400 names for '
        'Kinetics-400 configs, else "class N")')
    parser.add_argument('--out', help='also write the results to this .json')
    add_cfg_options(parser, cfg_example='model.cls_head.average_clips=score')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    install_stack_fixes()
    from nl_plugin.action.inference import (class_names, classify_videos,
                                            collect_videos, format_table,
                                            load_recognizer, write_json)
    if args.topk < 1:
        sys.exit(f'--topk must be a positive int, got {args.topk}')
    try:
        videos = collect_videos(args.inputs, args.video_root)
        model = load_recognizer(args.config, args.checkpoint, args.device,
                                args.cfg_options, args.allow_partial,
                                args.new_cfg_options)
        names = class_names(model.cfg, model.cls_head.num_classes,
                            args.label_map)
    except (OSError, ValueError, RuntimeError) as err:
        sys.exit(f'infer.py: {err}')
    results = classify_videos(
        model, videos, names, args.topk, progress=not args.no_progress)
    print(format_table(results))
    if args.out:
        write_json(results, args.out,
                   dict(config=args.config, checkpoint=args.checkpoint))
    if results['failed']:
        print(
            f"{len(results['failed'])} of {len(videos)} video(s) could not "
            'be read',
            file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
