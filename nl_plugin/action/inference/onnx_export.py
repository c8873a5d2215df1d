"""A recognizer as an ONNX model of clip scores, checked with ONNX Runtime.

The exported graph takes ``clips``: ``(N, 3, T, H, W)`` float32 RGB frames in
[0, 255] (after the config's test-pipeline resizing / cropping), with a
dynamic ``N``; it applies the recognizer's own normalisation, backbone and
head, and returns ``logits`` and ``probs`` (their softmax), ``(N, classes)``.
The video-level score is the mean of ``probs`` over a video's views, as
``tools/test.py`` and ``tools/infer.py`` compute it.

``onnx`` and ``onnxruntime`` are needed here only (``pip install
nl_plugin[deploy]``) and are imported when used.
"""
import warnings
from typing import Dict, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from ...blocks import NonLocalBlockNd

INPUT = 'clips'
OUTPUTS = ('logits', 'probs')
DEFAULT_OPSET = 17
# Pairwise functions whose exact computation has no ONNX equivalent, with
# what to use instead.
NOT_EXPORTABLE = {
    'concatenation':
    'its exact aggregation sorts the keys and looks every query up with '
    'torch.searchsorted, which ONNX has no operator for; export a model '
    "trained with mode='dot_product' or 'embedded_gaussian', or run this one "
    'in PyTorch (tools/infer.py, tools/extract_features.py)',
}


class ExportError(RuntimeError):
    """The model cannot be exported to ONNX; the message says why and what to
    use instead."""


class ClipClassifier(nn.Module):
    """Clips in, class scores out: the recognizer's preprocessing, backbone
    and head as one traceable module.

    ``(N, 3, T, H, W)`` -> ``logits``, ``probs``: ``(N, num_classes)``.
    """

    def __init__(self, recognizer: nn.Module):
        super().__init__()
        self.recognizer = recognizer

    def forward(self, clips: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        # (N, 3, T, H, W) -> (1, N, 3, T, H, W): one "video" of N views, the
        # layout MMAction2's data preprocessor and Recognizer3D expect
        inputs, _ = self.recognizer.data_preprocessor.preprocess([clips], None)
        logits, _ = self.recognizer.extract_feat(inputs, stage='head')
        return logits, logits.softmax(dim=-1)


def non_exportable_blocks(model: nn.Module) -> Dict[str, str]:
    """``{block name: mode}`` of the NL blocks ONNX cannot express."""
    return {
        name: module.mode
        for name, module in model.named_modules() if
        isinstance(module, NonLocalBlockNd) and module.mode in NOT_EXPORTABLE
    }


def check_exportable(model: nn.Module) -> None:
    """Raises :class:`ExportError` naming every NL block whose mode cannot be
    exported, the mode, and what to use instead."""
    blocks = non_exportable_blocks(model)
    if not blocks:
        return
    mode = next(iter(blocks.values()))
    raise ExportError(f"cannot export NL blocks with mode='{mode}' to ONNX "
                      f'({", ".join(blocks)}): {NOT_EXPORTABLE[mode]}')


def export_onnx(recognizer: nn.Module,
                path: str,
                clip_shape: Sequence[int],
                opset: int = DEFAULT_OPSET) -> None:
    """Writes ``recognizer`` as an ONNX model with a dynamic clip axis.

    Args:
        recognizer (nn.Module): An MMAction2 3D recognizer in eval mode, on
            the CPU.
        path (str): The ``.onnx`` file to write.
        clip_shape (Sequence[int]): ``(T, H, W)`` of one clip.
        opset (int): ONNX opset (default 17).

    Raises:
        ExportError: a block cannot be exported.
    """
    check_exportable(recognizer)
    clip_shape = tuple(int(s) for s in clip_shape)
    if len(clip_shape) != 3 or min(clip_shape) < 1:
        raise ValueError(
            f'clip_shape must be (T, H, W) of positive ints, got {clip_shape}')
    example = torch.rand(2, 3, *clip_shape) * 255
    axes = {name: {0: 'num_clips'} for name in (INPUT, ) + OUTPUTS}
    with warnings.catch_warnings():
        # The tracer warns that shapes become constants: by design, only the
        # clip axis is dynamic (checked on other batch sizes).
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        torch.onnx.export(
            ClipClassifier(recognizer).eval(), (example, ),
            path,
            input_names=[INPUT],
            output_names=list(OUTPUTS),
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False)


def onnxruntime_session(path: str):
    """An ONNX Runtime session of an exported model on the CPU."""
    import onnxruntime
    return onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])


def onnxruntime_scores(session, clips: np.ndarray) -> Dict[str, np.ndarray]:
    """``logits`` and ``probs`` of an exported model's session on
    ``clips``."""
    outputs = session.run(list(OUTPUTS), {INPUT: clips.astype(np.float32)})
    return dict(zip(OUTPUTS, outputs))


def compare_with_pytorch(recognizer: nn.Module, session,
                         clips: torch.Tensor) -> Dict[str, float]:
    """Largest absolute differences between ONNX Runtime's and PyTorch's
    ``logits`` and ``probs`` on the same clips."""
    with torch.no_grad():
        want = dict(zip(OUTPUTS, ClipClassifier(recognizer).eval()(clips)))
    got = onnxruntime_scores(session, clips.numpy())
    return {
        name: float(np.abs(got[name] - want[name].numpy()).max())
        for name in OUTPUTS
    }
