"""Runs a :class:`FeatureExtractor` over many videos, resumably, one share
of them per process."""
import os.path as osp
import sys
from typing import List, Optional, Sequence

from tqdm import tqdm

from ..datasets.video_errors import VideoReadError
from .feature_extraction import FeatureExtractor
from .feature_files import existing_record, output_names, save_atomically


def extract_share(extractor: FeatureExtractor,
                  videos: Sequence[str],
                  out_dir: str,
                  previous: Optional[dict] = None,
                  rank: int = 0,
                  world_size: int = 1,
                  progress: bool = True) -> List[dict]:
    """Writes the features of this process's share of ``videos``.

    Process ``rank`` of ``world_size`` takes videos ``rank, rank +
    world_size, ...``. A video whose ``.npy`` exists is skipped; an unreadable
    one is recorded as failed and the others go on.

    Args:
        extractor (FeatureExtractor): What computes the features.
        videos (Sequence[str]): All videos of the run (every process gets the
            same list, in the same order).
        out_dir (str): Output folder.
        previous (dict, optional): The manifest of an earlier run there.
        rank (int): This process.
        world_size (int): Processes of the run.
        progress (bool): Show a progress bar (stderr).

    Returns:
        list[dict]: One record per video of the share: ``video``, ``status``
        (``written``, ``existing`` or ``failed``), ``output``, ``shape``,
        ``total_frames``, ``fps``, ``clip_starts`` or ``error``, and
        ``process`` (the rank that handled it).
    """
    names = output_names(videos)
    records = []
    share = list(videos)[rank::world_size]
    bar = tqdm(
        share,
        desc=f'features (process {rank})' if world_size > 1 else 'features',
        unit='video',
        position=rank,
        disable=not progress)
    for video in bar:
        record = _one_video(extractor, video, out_dir, names[video], previous)
        records.append(dict(record, process=rank))
    return records


def _one_video(extractor: FeatureExtractor, video: str, out_dir: str,
               name: str, previous: Optional[dict]) -> dict:
    """Skips, extracts and writes, or records the failure of one video."""
    path = osp.join(out_dir, name)
    if osp.isfile(path):
        return existing_record(video, name, out_dir, previous)
    try:
        feats, info = extractor.extract(extractor.sample(video))
    except VideoReadError as err:
        tqdm.write(f'skipped {video}: {err.reason}', file=sys.stderr)
        return dict(video=video, status='failed', error=err.reason)
    save_atomically(path, feats)
    return dict(
        video=video,
        status='written',
        output=name,
        shape=list(feats.shape),
        **info)
