"""Top-k classes with names and probabilities for many videos."""
import json
import sys
from typing import List, Optional, Sequence

import torch.nn as nn
from tqdm import tqdm

from .video_scores import (read_or_error, test_pipeline, top_k,
                           video_probabilities)


def classify_videos(model: nn.Module,
                    videos: Sequence[str],
                    names: List[str],
                    k: int = 5,
                    progress: bool = True) -> dict:
    """Classifies each video; unreadable ones are reported and skipped.

    Args:
        model (nn.Module): A recognizer in eval mode with ``model.cfg``.
        videos (Sequence[str]): Video paths.
        names (list[str]): Class names, one per class.
        k (int): Classes per video.
        progress (bool): Show a progress bar over videos (stderr).

    Returns:
        dict: ``videos`` (``[{'video', 'top': [{'rank', 'label', 'name',
        'probability'}]}]``) and ``failed`` (``[{'video', 'error'}]``).
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f'k must be a positive int, got {k!r}')
    pipeline = test_pipeline(model.cfg)
    done, failed = [], []
    for path in tqdm(
            videos, desc='videos', unit='video', disable=not progress):
        data, error = read_or_error(pipeline, path)
        if error is not None:
            tqdm.write(f'skipped {path}: {error}', file=sys.stderr)
            failed.append(dict(video=path, error=error))
            continue
        probs = video_probabilities(model, data)
        done.append(dict(video=path, top=top_k(probs, k, names)))
    return dict(videos=done, failed=failed)


def format_table(results: dict) -> str:
    """The predictions as a text table, one row per (video, rank), then the
    unreadable videos with the reason."""
    rows = [(r['video'] if p['rank'] == 1 else '', str(p['rank']), p['name'],
             f"{p['probability']:.4f}") for r in results['videos']
            for p in r['top']]
    header = ('video', 'rank', 'class', 'probability')
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(4)]
    lines = [
        '  '.join(
            cell.rjust(w) if i in (1, 3) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in [header] + rows
    ]
    lines.insert(1, '  '.join('-' * w for w in widths))
    if results['failed']:
        lines.append('unreadable, skipped:')
        lines += [f"  {f['video']}: {f['error']}" for f in results['failed']]
    return '\n'.join(lines)


def write_json(results: dict, path: str, extra: Optional[dict] = None) -> None:
    """Writes the results (and ``extra`` fields, e.g. config and
    checkpoint) as JSON."""
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(dict(extra or {}, **results), f, indent=2)
        f.write('\n')
