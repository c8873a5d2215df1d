"""Writes the synthetic video classification data set (mp4 + MMAction2 lists).

Classes need long-range spacetime reasoning (see
``nl_plugin.action.datasets.synthetic_videos``).
Output layout under ``--out-dir`` (default ``data/synthetic_videos``)::

    classes.txt
    synthetic_train_list_videos.txt   # "00000.mp4 2" per line
    synthetic_val_list_videos.txt
    videos_train/00000.mp4 ...
    videos_val/00000.mp4 ...

Example::

    python tools/data/make_synthetic_videos.py --num-train 120 --num-val 40
"""
import argparse
import os
import os.path as osp

from tqdm import tqdm

from nl_plugin.action.datasets.synthetic_videos import (CLASS_NAMES,
                                                        list_file_name,
                                                        make_split,
                                                        write_class_names)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--out-dir',
        default='data/synthetic_videos',
        help='data root to write (created if missing)')
    parser.add_argument(
        '--num-train', type=int, default=120, help='training videos')
    parser.add_argument(
        '--num-val', type=int, default=40, help='validation videos')
    parser.add_argument(
        '--num-classes',
        type=int,
        default=2,
        choices=range(2,
                      len(CLASS_NAMES) + 1),
        help=f'first N of: {", ".join(CLASS_NAMES)}')
    parser.add_argument(
        '--height', type=int, default=64, help='frame height in pixels')
    parser.add_argument(
        '--width', type=int, default=96, help='frame width in pixels')
    parser.add_argument(
        '--min-frames', type=int, default=64, help='shortest video')
    parser.add_argument(
        '--max-frames', type=int, default=160, help='longest video')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of everything')
    parser.add_argument(
        '--no-progress', action='store_true', help='hide progress bars')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    write_class_names(args.out_dir, args.num_classes)
    for split, num_videos in (('train', args.num_train), ('val',
                                                          args.num_val)):

        def progress(items, split=split):
            return tqdm(
                items,
                desc=f'{split} videos',
                unit='video',
                disable=args.no_progress)

        make_split(
            args.out_dir,
            split,
            num_videos,
            num_classes=args.num_classes,
            height=args.height,
            width=args.width,
            frame_range=(args.min_frames, args.max_frames),
            seed=args.seed,
            progress=progress)
        print(f'{split}: {num_videos} videos, list '
              f'{osp.join(args.out_dir, list_file_name(split))}')


if __name__ == '__main__':
    main()
