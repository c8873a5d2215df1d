"""Where per-video features go: one ``.npy`` per video, written atomically,
and a manifest of what was written, skipped or unreadable."""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

MANIFEST = 'manifest.json'


def output_names(videos: Sequence[str]) -> Dict[str, str]:
    """``video -> feature file name``: ``<name>.npy`` after the video's base
    name, or after its path below the videos' common folder where base names
    repeat."""
    stems = [osp.splitext(osp.basename(v))[0] for v in videos]
    if len(set(stems)) < len(stems):
        root = osp.commonpath([osp.abspath(v) for v in videos])
        stems = [
            osp.splitext(osp.relpath(osp.abspath(v), root))[0] for v in videos
        ]
    return {v: stem + '.npy' for v, stem in zip(videos, stems)}


def save_atomically(path: str, array: np.ndarray) -> None:
    """``np.save`` through a temporary file, so that a killed run leaves no
    partial ``.npy`` that a resumed run would take as done."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = path + '.part'
    with open(tmp, 'wb') as f:
        np.save(f, array)
    os.replace(tmp, path)


def read_manifest(out_dir: str) -> Optional[dict]:
    """The manifest of an earlier run in ``out_dir``, if any."""
    path = osp.join(out_dir, MANIFEST)
    if not osp.isfile(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def check_resumable(previous: Optional[dict], settings: dict,
                    out_dir: str) -> None:
    """Refuses to mix features made with other settings in one folder."""
    if previous is None or previous.get('settings') == settings:
        return
    changed = sorted(
        key for key in set(settings) | set(previous.get('settings', {}))
        if previous.get('settings', {}).get(key) != settings.get(key))
    raise ValueError(
        f'{out_dir} holds features made with other settings ({changed} '
        f'differ from its {MANIFEST}); use another output folder or delete '
        'it')


def existing_record(video: str, name: str, out_dir: str,
                    previous: Optional[dict]) -> dict:
    """The manifest record of a feature file that is already there."""
    earlier = {
        r['video']: r
        for r in (previous or {}).get('videos', [])
    }.get(video, {})
    shape = list(np.load(osp.join(out_dir, name), mmap_mode='r').shape)
    return dict(
        earlier, video=video, output=name, shape=shape, status='existing')


def write_manifest(out_dir: str, settings: dict, records: List[dict],
                   extra: dict) -> str:
    """Writes ``manifest.json``: the settings, every video's record (written
    / existing, with its output and shape) and the unreadable ones."""
    manifest = dict(
        extra,
        settings=settings,
        videos=[r for r in records if r['status'] != 'failed'],
        failed=[r for r in records if r['status'] == 'failed'])
    path = osp.join(out_dir, MANIFEST)
    with open(path + '.part', 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    os.replace(path + '.part', path)
    return path
