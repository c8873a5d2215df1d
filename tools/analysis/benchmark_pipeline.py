"""Clips per second of our train and test pipelines vs MMAction2's equivalent
ones.

Both sides run on the same generated videos in the same process, interleaved
run by run, with the same random seed per video (so the same training windows,
crops and flips); each video counts with its fastest of ``--repeats`` runs.
They differ only in
the loading steps:

* ours: ``CheckedDecordInit`` + ``RandomWindowSample`` / ``EvenWindowSample`` +
  ``DecordUniqueDecode``;
* MMAction2: ``DecordInit`` + ``SampleFrames`` (same clip length, interval and
  number of clips) + ``DecordDecode``.

Two stages are timed: ``loading`` (those three steps) and ``full`` (the paper's
protocol after them, as in configs/_base_/datasets/kinetics400_32x2x1.py: train
short side [256, 320], 224 crop, flip; test short side 256, 10 clips; then
FormatShape and
PackActionInputs). Example::

    python tools/analysis/benchmark_pipeline.py --num-videos 12 --repeats 5
"""
import argparse
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, List

import numpy as np
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope

import nl_plugin.action  # noqa: F401  registers our transforms
from nl_plugin.action.datasets.synthetic_videos import (make_split,
                                                        video_dir_name)

LOADERS = {
    ('ours', 'train'): [
        dict(type='CheckedDecordInit'),
        dict(type='RandomWindowSample', window=64, stride=2),
        dict(type='DecordUniqueDecode')
    ],
    ('mmaction2', 'train'): [
        dict(type='DecordInit'),
        dict(type='SampleFrames', clip_len=32, frame_interval=2, num_clips=1),
        dict(type='DecordDecode')
    ],
    ('ours', 'test'): [
        dict(type='CheckedDecordInit'),
        dict(type='EvenWindowSample', window=64, stride=2, num_clips=10),
        dict(type='DecordUniqueDecode')
    ],
    ('mmaction2', 'test'): [
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=32,
            frame_interval=2,
            num_clips=10,
            test_mode=True),
        dict(type='DecordDecode')
    ],
}
SPATIAL = {
    'train': [
        dict(type='RandomRescale', scale_range=(256, 320)),
        dict(type='RandomCrop', size=224),
        dict(type='Flip', flip_ratio=0.5),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ],
    'test': [
        dict(type='Resize', scale=(-1, 256)),
        dict(type='FormatShape', input_format='NCTHW'),
        dict(type='PackActionInputs')
    ],
}
CLIPS_PER_CALL = {'train': 1, 'test': 10}
CLOCKS = {'wall': time.perf_counter, 'cpu': time.process_time}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--num-videos', type=int, default=12, help='videos generated')
    parser.add_argument('--height', type=int, default=128, help='frame height')
    parser.add_argument('--width', type=int, default=176, help='frame width')
    parser.add_argument(
        '--min-frames', type=int, default=150, help='shortest video')
    parser.add_argument(
        '--max-frames', type=int, default=300, help='longest video')
    parser.add_argument(
        '--repeats',
        type=int,
        default=5,
        help='runs per video; the fastest counts')
    parser.add_argument(
        '--stages',
        nargs='+',
        choices=('loading', 'full'),
        default=['loading', 'full'],
        help='what to time')
    parser.add_argument(
        '--seed', type=int, default=0, help='videos and sampling seed')
    parser.add_argument(
        '--clock',
        choices=tuple(CLOCKS),
        default='wall',
        help='wall: elapsed time; cpu: CPU time of this process (all '
        'threads), steadier on a busy machine')
    return parser.parse_args(argv)


def make_videos(root: str, args) -> List[str]:
    entries = make_split(
        root,
        'train',
        args.num_videos,
        num_classes=4,
        height=args.height,
        width=args.width,
        frame_range=(args.min_frames, args.max_frames),
        seed=args.seed)
    return [
        osp.join(root, video_dir_name('train'), name) for name, _ in entries
    ]


def build(side: str, split: str, stage: str) -> Compose:
    steps = LOADERS[(side, split)] + (
        SPATIAL[split] if stage == 'full' else [])
    return Compose([dict(step) for step in steps])


def time_pair(paths: List[str], split: str, stage: str, repeats: int,
              seed: int, clock: Callable[[], float]) -> Dict[str, float]:
    """Seconds per side: the sum over videos of the fastest of ``repeats``
    runs.

    Every run of a video uses the same seed on both sides, so it does the same
    work (same training window, crop and flip: both samplers draw
    ``randint(num_frames - 63)``); the minimum filters out the noise of other
    processes. The sides alternate run by run.
    """
    pipelines = {
        side: build(side, split, stage)
        for side in ('ours', 'mmaction2')
    }
    best = {side: [float('inf')] * len(paths) for side in pipelines}
    for rep in range(repeats):
        for i, path in enumerate(paths):
            order = list(pipelines) if (rep +
                                        i) % 2 == 0 else list(pipelines)[::-1]
            for side in order:
                np.random.seed(seed + i)
                start = clock()
                pipelines[side](
                    dict(
                        filename=path, label=0, start_index=0, modality='RGB'))
                best[side][i] = min(best[side][i], clock() - start)
    return {side: sum(times) for side, times in best.items()}


def main(argv=None) -> None:
    args = parse_args(argv)
    init_default_scope('mmaction')
    with tempfile.TemporaryDirectory() as root:
        print(
            f'Writing {args.num_videos} videos ({args.height}x{args.width}, '
            f'{args.min_frames}-{args.max_frames} frames) ...',
            flush=True)
        paths = make_videos(root, args)
        print(f'{args.clock} clock, fastest of {args.repeats} runs per video')
        print(f'{"stage":8} {"split":6} {"ours clips/s":>13} '
              f'{"mmaction2 clips/s":>18} '
              f'{"ratio":>6}')
        for stage in args.stages:
            for split in ('train', 'test'):
                seconds = time_pair(paths, split, stage, args.repeats,
                                    args.seed, CLOCKS[args.clock])
                clips = len(paths) * CLIPS_PER_CALL[split]
                ours, theirs = clips / seconds['ours'], clips / seconds[
                    'mmaction2']
                print(
                    f'{stage:8} {split:6} {ours:13.1f} {theirs:18.1f} '
                    f'{ours / theirs:5.2f}x',
                    flush=True)


if __name__ == '__main__':
    main()
