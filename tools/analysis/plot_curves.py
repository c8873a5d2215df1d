"""Plots training curves (loss, learning rate, validation accuracy) from
MMEngine logs.

Reads the ``vis_data/scalars.json`` that MMEngine's ``LocalVisBackend`` writes
(one JSON object per line: training scalars with ``step`` = iteration, and
validation metrics with ``step`` = the iteration they were computed at), or the
``<timestamp>.json`` log next to it. Give work dirs (the latest run inside is
used) or the json files themselves; several runs go into the same figure.

Usage:
    python tools/analysis/plot_curves.py WORK_DIR_OR_JSON [...] [--labels A B]
        [--keys loss acc/video_top1] [--out curves.png]
"""
import argparse
import json
import os.path as osp
from glob import glob
from typing import Dict, List, Tuple

import matplotlib

matplotlib.use('Agg')  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402

Series = Dict[str, Tuple[List[int], List[float]]]


def find_scalars(path: str) -> str:
    """The scalars file of ``path``: itself if a file, else the latest
    run's."""
    if osp.isfile(path):
        return path
    found = sorted(glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise FileNotFoundError(
            f'no */vis_data/scalars.json under {path!r}: is it an '
            'MMEngine work dir of a run that logged something?')
    return found[-1]


def read_scalars(path: str) -> Series:
    """``{key: (steps, values)}`` of every numeric scalar in one log file."""
    series: Series = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            step = record.get('step', record.get('iter'))
            for key, value in record.items():
                if key in ('step', 'iter',
                           'epoch') or not isinstance(value, (int, float)):
                    continue
                steps, values = series.setdefault(key, ([], []))
                steps.append(int(step))
                values.append(float(value))
    return series


def plot(runs: Dict[str, Series], keys: List[str], out: str) -> List[str]:
    """One panel per key, one line per run; returns the keys that had data."""
    keys = [k for k in keys if any(k in s for s in runs.values())]
    if not keys:
        raise ValueError('none of the requested keys is in the logs')
    fig, axes = plt.subplots(
        1, len(keys), figsize=(5 * len(keys), 3.6), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for label, series in runs.items():
            if key in series:
                steps, values = series[key]
                ax.plot(
                    steps,
                    values,
                    marker='o' if len(steps) < 20 else None,
                    label=label)
        ax.set_title(key)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return keys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'runs', nargs='+', help='work dirs or scalars json files')
    parser.add_argument('--labels', nargs='+', help='one legend label per run')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=['loss', 'lr', 'acc/video_top1', 'acc/clip_top1'],
        help='scalars to plot (missing ones are skipped)')
    parser.add_argument(
        '--out', default='curves.png', help='PNG file to write')
    args = parser.parse_args(argv)
    if args.labels and len(args.labels) != len(args.runs):
        parser.error(
            f'--labels: {len(args.labels)} labels for {len(args.runs)} runs')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    labels = args.labels or [osp.basename(osp.normpath(r)) for r in args.runs]
    runs = {
        label: read_scalars(find_scalars(r))
        for label, r in zip(labels, args.runs)
    }
    keys = plot(runs, args.keys, args.out)
    print(f'plotted {", ".join(keys)} of {len(runs)} run(s) to {args.out}')


if __name__ == '__main__':
    main()
