"""One probability vector per video from a recognizer and its test pipeline."""
from contextlib import contextmanager
from typing import Callable, List

import torch
import torch.nn as nn
from decord import DECORDError
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope

from ..datasets.video_errors import VideoReadError

# What reading a video may raise: nl_plugin's VideoReadError (a RuntimeError),
# decord's own error (through MMAction2's DecordInit / DecordDecode), and
# OSErrors of upstream's file clients.
UNREADABLE = (RuntimeError, OSError, DECORDError)


def test_pipeline(cfg: Config) -> Compose:
    """The test pipeline of a config's test set, built in its scope."""
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    return Compose(cfg.test_dataloader.dataset.pipeline)


def video_results(path: str) -> dict:
    """What MMAction2's ``VideoDataset`` hands its pipeline for a video."""
    return dict(filename=path, label=-1, start_index=0, modality='RGB')


def video_probabilities(model: nn.Module, data: dict) -> torch.Tensor:
    """The softmax of a video's test views averaged: ``(num_classes,)``.

    Works with any MMAction2 head setting: ``pred_score`` per video
    (``average_clips='prob'``, as nl_plugin's configs), averaged logits
    (``'score'``) or per view (``None``).

    Args:
        model (nn.Module): A recognizer in eval mode.
        data (dict): The test pipeline's output for one video.
    """
    with torch.no_grad():
        sample = model.test_step(pseudo_collate([data]))[0]
    scores = sample.pred_score.float().cpu()
    if scores.ndim == 2:  # (V, K) logits of every view
        return scores.softmax(dim=-1).mean(dim=0)
    if getattr(model.cls_head, 'average_clips', 'prob') == 'score':
        return scores.softmax(dim=-1)  # mean logits -> probabilities
    return scores


def top_k(probs: torch.Tensor, k: int, names: List[str]) -> List[dict]:
    """The ``k`` most probable classes: rank (from 1), label, name,
    probability."""
    values, labels = probs.topk(min(k, len(probs)))
    return [
        dict(
            rank=i + 1,
            label=int(label),
            name=names[label],
            probability=float(value))
        for i, (value, label) in enumerate(zip(values, labels))
    ]


@contextmanager
def reading(path: str):
    """Turns what reading ``path`` may raise into :class:`VideoReadError`.

    Only reading is to be guarded with it: errors of the model stay what they
    are.
    """
    try:
        yield
    except VideoReadError:
        raise
    except UNREADABLE as err:
        raise VideoReadError(path, f'{type(err).__name__}: {err}') from err


def read_or_error(pipeline: Callable, path: str):
    """``(data, None)``, or ``(None, reason)`` when the video is
    unreadable."""
    try:
        with reading(path):
            return pipeline(video_results(path)), None
    except VideoReadError as err:
        return None, err.reason
