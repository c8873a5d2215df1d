"""The videos a tool is asked about: files, folders and list files."""
import os
import os.path as osp
from typing import List, Optional, Sequence

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mkv', '.webm', '.mov', '.m4v', '.flv',
                    '.mpg', '.mpeg', '.wmv', '.3gp', '.ts')
LIST_EXTENSIONS = ('.txt', '.list', '.lst')


def videos_in_folder(folder: str) -> List[str]:
    """Video files below ``folder`` (by extension), sorted, recursively."""
    found = []
    for root, _, files in os.walk(folder):
        found += [
            osp.join(root, name) for name in files
            if name.lower().endswith(VIDEO_EXTENSIONS)
        ]
    return sorted(found)


def _list_entry(line: str) -> str:
    """The path of a list-file line: ``path`` or MMAction2's ``path label``."""
    parts = line.rsplit(maxsplit=1)
    if len(parts) == 2 and parts[1].lstrip('-').isdigit():
        return parts[0]
    return line


def videos_in_list(list_file: str, video_root: Optional[str]) -> List[str]:
    """Videos named in a list file, one a line (``path`` or MMAction2's
    annotation format ``path label``); relative paths are taken from
    ``video_root``, else from the list file's folder."""
    root = video_root if video_root is not None else osp.dirname(list_file)
    with open(list_file, encoding='utf-8') as f:
        entries = [_list_entry(line.strip()) for line in f if line.strip()]
    return [osp.join(root, entry) for entry in entries]


def collect_videos(inputs: Sequence[str],
                   video_root: Optional[str] = None) -> List[str]:
    """Every video of ``inputs``, in order, each once.

    Args:
        inputs (Sequence[str]): Video files, folders (searched recursively by
            extension) and list files (``.txt`` / ``.list`` / ``.lst``). A
            path that does not exist is kept: reading it fails later and is
            reported with the other unreadable videos.
        video_root (str, optional): Folder that relative paths of list files
            start from (default: the list file's folder).

    Raises:
        ValueError: ``inputs`` name no video at all.
    """
    videos = []
    for item in inputs:
        if osp.isdir(item):
            videos += videos_in_folder(item)
        elif osp.isfile(item) and item.lower().endswith(LIST_EXTENSIONS):
            videos += videos_in_list(item, video_root)
        else:
            videos.append(item)
    videos = list(dict.fromkeys(videos))
    if not videos:
        raise ValueError(f'no video found in {list(inputs)}')
    return videos
