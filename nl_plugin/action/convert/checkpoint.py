"""A released ``.pkl`` -> an MMEngine checkpoint of the matching config.

The output is what MMEngine's Runner saves, ``{'meta': ..., 'state_dict':
...}`` with the keys of the config's ``Recognizer3D``: ``tools/test.py``,
``load_from``, ``mmaction.apis.init_recognizer`` and fine-tuning configs read
it as they read any checkpoint (``torch.load(weights_only=True)`` included).
"""
import os
import os.path as osp

import torch

from ...engine.run_config import build_model, load_config
from .caffe2_pickle import load_blobs
from .video_nonlocal_net import ConversionReport, convert_blobs

LICENCE = ('CC-BY-NC 4.0, as the models released with '
           'facebookresearch/video-nonlocal-net')


class IncompleteConversion(ValueError):
    """The file does not match the config; ``report`` says where."""

    def __init__(self, message: str, report: ConversionReport):
        super().__init__(message)
        self.report = report


def convert_file(src: str,
                 dst: str,
                 config: str,
                 allow_partial: bool = False) -> ConversionReport:
    """Converts the Caffe2 model file ``src`` for ``config`` into ``dst``.

    Args:
        src (str): The ``.pkl`` (wrapped or flat blob dict).
        dst (str): The checkpoint to write (folders are created).
        config (str): The config whose model the blobs are for.
        allow_partial (bool): Write the entries that converted even if some
            blobs are unused or some parameters unset; otherwise nothing is
            written.

    Returns:
        ConversionReport: What was mapped, folded, dropped, left out.

    Raises:
        IncompleteConversion: if the conversion is incomplete and not
            ``allow_partial``.
        UnsafePickleError: if ``src`` asks for anything but numpy arrays.
    """
    model = build_model(load_config(config))
    state, report = convert_blobs(load_blobs(src), model)
    if not report.complete and not allow_partial:
        raise IncompleteConversion(
            f'{src} does not convert completely into the model of {config}:'
            f'\n{report.format()}\nNothing was written (--allow-partial '
            'writes the entries that did convert).', report)
    meta = dict(
        converted_from=osp.basename(src),
        config=osp.basename(config),
        complete=report.complete,
        licence=LICENCE)
    if osp.dirname(dst):
        os.makedirs(osp.dirname(dst), exist_ok=True)
    torch.save(dict(meta=meta, state_dict=state), dst)
    return report
