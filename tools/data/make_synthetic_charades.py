"""Writes a small synthetic data set in the layout of the Charades release.

See ``nl_plugin.action.datasets.synthetic_charades``. Output under OUT_DIR
(default ``data/synthetic_charades``)::

    Charades_v1_classes.txt
    Charades_v1_train.csv, Charades_v1_test.csv
    Charades_v1_rgb/{id}/{id}-000001.jpg ...   # --media frames (default)
    Charades_v1_480/{id}.mp4                   # --media videos

Example::

    python tools/data/make_synthetic_charades.py data/synthetic_charades \
        --media frames videos
"""
import argparse

from nl_plugin.action.datasets.synthetic_charades import (
    COLOURS, MEDIA, make_synthetic_charades)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'out_dir',
        nargs='?',
        default='data/synthetic_charades',
        help='data root to write (created if missing)')
    parser.add_argument('--num-train', type=int, default=16)
    parser.add_argument('--num-test', type=int, default=8)
    parser.add_argument(
        '--num-classes',
        type=int,
        default=4,
        choices=range(2,
                      len(COLOURS) + 1))
    parser.add_argument(
        '--media', nargs='+', default=['frames'], choices=MEDIA)
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(96, 64),
        metavar=('WIDTH', 'HEIGHT'))
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    files = make_synthetic_charades(
        args.out_dir,
        args.num_train,
        args.num_test,
        seed=args.seed,
        num_classes=args.num_classes,
        media=args.media,
        width=args.size[0],
        height=args.size[1])
    for name, path in files.items():
        print(f'{name}: {path}')


if __name__ == '__main__':
    main()
