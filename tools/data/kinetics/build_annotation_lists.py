"""Converts the official Kinetics CSVs to MMAction2 ``VideoDataset`` annotation
lists.

The official CSVs have the columns
``label,youtube_id,time_start,time_end,split`` (some releases add ``is_cc``).
Each row becomes one line ``<video path> <class index>``, with the video named
``<youtube_id>_<time_start:06d>_<time_end:06d><ext>`` as the common download
tools name the trimmed 10-second clips.

Class indices follow the sorted class names of the CSV, or a ``--class-list``
written
before (use the training list's classes for the validation list)::

    python tools/data/kinetics/build_annotation_lists.py train.csv \\
        --out data/kinetics400/kinetics400_train_list_videos.txt \\
        --classes-out data/kinetics400/classes.txt \\
        --video-dir data/kinetics400/videos_train
    python tools/data/kinetics/build_annotation_lists.py validate.csv \\
        --out data/kinetics400/kinetics400_val_list_videos.txt \\
        --class-list data/kinetics400/classes.txt \\
        --video-dir data/kinetics400/videos_val
"""
import argparse
import csv
import os.path as osp
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

REQUIRED_COLUMNS = ('label', 'youtube_id', 'time_start', 'time_end')
LAYOUTS = ('flat', 'by_class')


def clip_name(youtube_id: str, time_start: str, time_end: str,
              ext: str) -> str:
    """``abc_000010_000020.mp4`` for ``abc``, 10, 20 (seconds)."""
    start, end = int(float(time_start)), int(float(time_end))
    return f'{youtube_id}_{start:06d}_{end:06d}{ext}'


def class_dir(label: str) -> str:
    """A folder name without spaces, quotes or brackets:
    ``passing_American_football_in_game``."""
    return re.sub(r'_+', '_', re.sub(r'[^\w\-]', '_', label)).strip('_')


def read_rows(csv_path: str) -> List[Dict[str, str]]:
    with open(csv_path, newline='', encoding='utf-8') as f:
        reader = csv.DictReader(f)
        missing = [
            c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])
        ]
        if missing:
            sys.exit(f'error: {csv_path} lacks the column(s) {missing}; found '
                     f'{reader.fieldnames}. (The official test split is '
                     'unlabelled.)')
        return list(reader)


def class_names(rows: Sequence[dict], class_list: Optional[str]) -> List[str]:
    if class_list is None:
        return sorted({row['label'] for row in rows})
    with open(class_list, encoding='utf-8') as f:
        names = [line.rstrip('\n') for line in f if line.strip()]
    unknown = sorted({row['label'] for row in rows} - set(names))
    if unknown:
        sys.exit(f'error: labels not in {class_list}: {unknown[:5]}'
                 f'{" ..." if len(unknown) > 5 else ""}')
    return names


def is_readable(path: str) -> bool:
    """True when decord opens the file and it holds at least one frame."""
    import decord
    try:
        return len(decord.VideoReader(path)) > 0
    except Exception:  # decord raises RuntimeError or its DECORDError
        return False


def build_lines(rows, names, layout, ext, video_dir,
                check_readable) -> Tuple[List[str], List[str], List[str]]:
    """Returns (list lines, missing paths, unreadable paths)."""
    index = {name: i for i, name in enumerate(names)}
    lines, missing, unreadable = [], [], []
    for row in rows:
        path = clip_name(row['youtube_id'], row['time_start'], row['time_end'],
                         ext)
        if layout == 'by_class':
            path = f'{class_dir(row["label"])}/{path}'
        if video_dir is not None:
            full = osp.join(video_dir, path)
            if not osp.isfile(full):
                missing.append(path)
                continue
            if check_readable and not is_readable(full):
                unreadable.append(path)
                continue
        lines.append(f'{path} {index[row["label"]]}\n')
    return lines, missing, unreadable


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        'csv', help='official CSV (label,youtube_id,time_start,...)')
    parser.add_argument(
        '--out', required=True, help='annotation list to write')
    parser.add_argument(
        '--classes-out', help='write the class names, one per line')
    parser.add_argument(
        '--class-list', help='class names file fixing the indices')
    parser.add_argument(
        '--layout',
        choices=LAYOUTS,
        default='flat',
        help='flat: <clip>.mp4; by_class: <class_dir>/<clip>.mp4')
    parser.add_argument('--ext', default='.mp4', help='video file extension')
    parser.add_argument(
        '--video-dir', help='keep only clips present under this folder')
    parser.add_argument(
        '--check-readable',
        action='store_true',
        help='with --video-dir, also drop clips decord cannot open')
    args = parser.parse_args(argv)
    if args.check_readable and args.video_dir is None:
        parser.error('--check-readable needs --video-dir')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    rows = read_rows(args.csv)
    names = class_names(rows, args.class_list)
    lines, missing, unreadable = build_lines(rows, names, args.layout,
                                             args.ext, args.video_dir,
                                             args.check_readable)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.writelines(lines)
    if args.classes_out:
        with open(args.classes_out, 'w', encoding='utf-8') as f:
            f.writelines(f'{name}\n' for name in names)
    print(
        f'{args.out}: {len(lines)} of {len(rows)} clips, {len(names)} '
        'classes; '
        f'{len(missing)} missing, {len(unreadable)} unreadable',
        file=sys.stderr)
    for path in missing[:10] + unreadable[:10]:
        print(f'  skipped {path}', file=sys.stderr)


if __name__ == '__main__':
    main()
