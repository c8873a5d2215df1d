"""Per-video backbone features of a trained recognizer, one .npy per video.

Usage:
    python tools/extract_features.py CONFIG CHECKPOINT INPUT ... --out DIR
        [--mode windows|video] [--step FRAMES | --step-seconds SECONDS]
        [--spatial avg|max] [--temporal avg|max] [--windows-per-batch 8]
        [--video-root DIR] [--device DEV] [--cfg-options KEY=VALUE ...]
    bash tools/dist_extract_features.sh CONFIG CHECKPOINT GPUS INPUT ... \\
        --out DIR [...]        # GPUS processes, each takes its share

``--mode windows`` (default), for untrimmed videos: windows of the config's
test clip (its frames per clip and frame stride) every ``--step`` frames or
``--step-seconds`` seconds (at each video's own frame rate; default: back to
back); ``DIR/<video>.npy`` holds ``(num_windows, C)`` float32, one row per
window in time order. ``--mode video``: the config's test views (e.g. 10
clips x crops) pooled into one ``(C,)`` vector. Features are the backbone
output (C = 2048 for the R50/R101 configs), pooled over space (``--spatial``)
and then time (``--temporal``); the crops of a clip are pooled with
``--spatial``, the clips of ``--mode video`` with ``--temporal``.

Resumable: videos whose .npy exists are skipped. ``DIR/manifest.json`` lists
the settings and every video: written / existing (output file, shape, frame
count, fps, first frame of each window) or failed (why). Unreadable videos
are reported and skipped; the exit code is 1 if any failed.
"""
import argparse
import os
import os.path as osp
import sys

from nl_plugin.compat import install_stack_fixes
from nl_plugin.engine import (add_runner_arguments, add_video_tool_arguments,
                              parse_runner_args, tool_process_group)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_video_tool_arguments(parser)
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--mode',
        choices=('windows', 'video'),
        default='windows',
        help='(num_windows, C) per video, or one (C,) vector')
    step = parser.add_mutually_exclusive_group()
    step.add_argument(
        '--step', type=int, help='frames between windows (windows mode)')
    step.add_argument(
        '--step-seconds',
        type=float,
        help='seconds between windows, at each video\'s frame rate')
    parser.add_argument('--spatial', choices=('avg', 'max'), default='avg')
    parser.add_argument('--temporal', choices=('avg', 'max'), default='avg')
    parser.add_argument(
        '--windows-per-batch',
        type=int,
        default=8,
        help='windows decoded and run at once (memory; default 8)')
    add_runner_arguments(parser, cfg_example='model.backbone.with_cp=False')
    return parse_runner_args(parser, argv)


def _device(args) -> str:
    import torch
    if args.device:
        return args.device
    if torch.cuda.is_available():
        return f"cuda:{os.environ.get('LOCAL_RANK', '0')}"
    return 'cpu'


def _gather(records, world_size: int):
    if world_size == 1:
        return records
    import torch.distributed as dist
    shares = [None] * world_size
    dist.all_gather_object(shares, records)
    return [r for share in shares for r in share]


def _earlier_records(previous, videos, out_dir):
    """Records of an earlier run for videos outside this run whose feature
    file is still there."""
    current = set(videos)
    return [
        r for r in (previous or {}).get('videos', [])
        if r['video'] not in current
        and osp.isfile(osp.join(out_dir, r['output']))
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    install_stack_fixes()
    from nl_plugin.action.inference import (FeatureExtractor, collect_videos,
                                            extract_share, load_recognizer,
                                            read_manifest, write_manifest)
    from nl_plugin.action.inference.feature_files import check_resumable
    rank, world_size = tool_process_group(args.launcher)
    try:
        videos = collect_videos(args.inputs, args.video_root)
        model = load_recognizer(args.config, args.checkpoint, _device(args),
                                args.cfg_options, args.allow_partial,
                                args.new_cfg_options)
        extractor = FeatureExtractor(
            model,
            mode=args.mode,
            spatial=args.spatial,
            temporal=args.temporal,
            step=args.step,
            step_seconds=args.step_seconds,
            windows_per_batch=args.windows_per_batch)
        settings = dict(
            extractor.settings(),
            config=osp.abspath(args.config),
            checkpoint=osp.abspath(args.checkpoint))
        previous = read_manifest(args.out)
        check_resumable(previous, settings, args.out)
    except (OSError, ValueError, RuntimeError) as err:
        sys.exit(f'extract_features.py: {err}')
    os.makedirs(args.out, exist_ok=True)
    records = extract_share(extractor, videos, args.out, previous, rank,
                            world_size, not args.no_progress)
    records = _gather(records, world_size)
    order = {video: i for i, video in enumerate(videos)}
    records.sort(key=lambda r: order[r['video']])
    failed = [r for r in records if r['status'] == 'failed']
    if rank == 0:
        path = write_manifest(
            args.out, settings,
            records + _earlier_records(previous, videos, args.out),
            dict(num_videos=len(videos)))
        counts = {
            status: sum(r['status'] == status for r in records)
            for status in ('written', 'existing', 'failed')
        }
        print(f"{counts['written']} written, {counts['existing']} already "
              f"there, {counts['failed']} unreadable; manifest: {path}")
        for record in failed:
            print(
                f"unreadable: {record['video']}: {record['error']}",
                file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
