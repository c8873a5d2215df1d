"""Writes a tiny COCO-format instance-segmentation (or keypoint) set of
coloured shapes; see :mod:`nl_plugin.det.datasets.synthetic_coco`.

Usage::

    python tools/data/make_synthetic_coco.py data/synthetic_coco --seed 0
    python tools/data/make_synthetic_coco.py data/synthetic_kp --keypoints
"""
import argparse

from nl_plugin.det.datasets import make_synthetic_coco


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num-train', type=int, default=16)
    parser.add_argument('--num-val', type=int, default=8)
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(128, 96),
        metavar=('WIDTH', 'HEIGHT'))
    parser.add_argument('--max-shapes', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--keypoints',
        action='store_true',
        help='write the person-keypoint-style set of figures')
    args = parser.parse_args(argv)
    files = make_synthetic_coco(args.out_dir, args.num_train, args.num_val,
                                args.size, args.max_shapes, args.seed,
                                args.keypoints)
    for split, path in files.items():
        print(f'{split}: {path}')


if __name__ == '__main__':
    main()
