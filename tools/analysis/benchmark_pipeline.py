"""Clips per second of our train and test pipelines vs MMAction2's equivalent
ones.

Both sides run on the same generated videos in the same process, interleaved
run by run, with the same random seed per video (so the same training windows,
crops and flips); each video counts with its fastest of ``--repeats`` runs.
The pipelines are those of a video data set config (default: the paper's
protocol, configs/_base_/datasets/kinetics400_32x2x1.py); the sides differ
only in the loading steps:

* ours, as in the config: ``CheckedDecordInit`` + ``RandomWindowSample`` /
  ``EvenWindowSample`` + ``DecordUniqueDecode``;
* MMAction2: ``DecordInit`` + ``SampleFrames`` with our sampler's settings
  (the same clips) + ``DecordDecode``.

Two stages are timed: ``loading`` (those three steps) and ``full`` (the whole
pipeline: train short side [256, 320], 224 crop, flip; test short side 256,
10 clips; then FormatShape and PackActionInputs). Example::

    python tools/analysis/benchmark_pipeline.py --num-videos 12 --repeats 5
"""
import argparse
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, List

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import init_default_scope

import nl_plugin.action  # noqa: F401  registers our transforms
from nl_plugin.action.datasets.synthetic_videos import (make_split,
                                                        video_dir_name)

DATASET_CONFIG = osp.join(
    osp.dirname(osp.abspath(__file__)), '..', '..', 'configs', '_base_',
    'datasets', 'kinetics400_32x2x1.py')
NUM_LOADING_STEPS = 3  # decord init, sampler, decoder


def build_sampler(pipeline: List[dict]):
    """The pipeline's clip sampler (its second step), built."""
    return TRANSFORMS.build(dict(pipeline[1]))


def mmaction2_loading(sampler) -> List[dict]:
    """MMAction2's loading steps equivalent to ours: the same clips from
    ``SampleFrames`` (our samplers are ``SampleFrames`` settings)."""
    return [
        dict(type='DecordInit'),
        dict(
            type='SampleFrames',
            clip_len=sampler.clip_len,
            frame_interval=sampler.frame_interval,
            num_clips=sampler.num_clips,
            test_mode=sampler.test_mode,
            out_of_bound_opt=sampler.out_of_bound_opt,
            target_fps=sampler.target_fps),
        dict(type='DecordDecode')
    ]


def config_pipelines(path: str) -> Dict[str, List[dict]]:
    """``train`` / ``test`` pipelines of a video data set config."""
    cfg = Config.fromfile(path)
    return {split: list(cfg[f'{split}_pipeline']) for split in SPLITS}


SPLITS = ('train', 'test')
CLOCKS = {'wall': time.perf_counter, 'cpu': time.process_time}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
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
        '--config',
        default=DATASET_CONFIG,
        help='video data set config whose train_pipeline / test_pipeline are '
        'timed (default: the paper protocol, kinetics400_32x2x1.py)')
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


def build(pipeline: List[dict], side: str, stage: str) -> Compose:
    """Our config's pipeline, or the same with MMAction2's loading steps; only
    the loading steps at stage ``loading``."""
    loading = pipeline[:NUM_LOADING_STEPS]
    if side == 'mmaction2':
        loading = mmaction2_loading(build_sampler(pipeline))
    rest = pipeline[NUM_LOADING_STEPS:] if stage == 'full' else []
    return Compose([dict(step) for step in loading + rest])


def time_pair(paths: List[str], pipeline: List[dict], stage: str, repeats: int,
              seed: int, clock: Callable[[], float]) -> Dict[str, float]:
    """Seconds per side: the sum over videos of the fastest of ``repeats``
    runs.

    Every run of a video uses the same seed on both sides, so it does the same
    work (same training window, crop and flip: both samplers draw
    ``randint(num_frames - 63)``); the minimum filters out the noise of other
    processes. The sides alternate run by run.
    """
    pipelines = {
        side: build(pipeline, side, stage)
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
        pipelines = config_pipelines(args.config)
        print(f'{args.clock} clock, fastest of {args.repeats} runs per video')
        print(f'{"stage":8} {"split":6} {"ours clips/s":>13} '
              f'{"mmaction2 clips/s":>18} '
              f'{"ratio":>6}')
        for stage in args.stages:
            for split in SPLITS:
                seconds = time_pair(paths, pipelines[split], stage,
                                    args.repeats, args.seed,
                                    CLOCKS[args.clock])
                clips = len(paths) * build_sampler(pipelines[split]).num_clips
                ours, theirs = clips / seconds['ours'], clips / seconds[
                    'mmaction2']
                print(
                    f'{stage:8} {split:6} {ours:13.1f} {theirs:18.1f} '
                    f'{ours / theirs:5.2f}x',
                    flush=True)


if __name__ == '__main__':
    main()
