"""End to end: config + checkpoint + video/image -> attention PNG, GIF and
JSON."""
from typing import Dict, Optional, Sequence

from .attention import grid_3d
from .capture import capture_input, select_block
from .geometry import Cell
from .model_input import load_model, prepare_input
from .report import explain_block, write_report
from .strides import block_stride


def visualize_attention(config: str,
                        checkpoint: str,
                        path: str,
                        out_dir: str,
                        block: Optional[str] = None,
                        queries: Optional[Sequence[Cell]] = None,
                        num_auto: int = 3,
                        topk: int = 20,
                        device: str = 'cpu',
                        panel_size: int = 256,
                        allow_partial: bool = False) -> Dict[str, str]:
    """Draws what a non-local block of a trained model attends to.

    Args:
        config (str): MMAction2 recognizer config (NL-ResNet3d backbone) or
            MMDetection detector config (NL-ResNet backbone).
        checkpoint (str): Checkpoint of that model.
        path (str): A video (recognizer) or an image (detector).
        out_dir (str): Where the files go.
        block (str, optional): Name of the non-local block in the backbone
            (``backbone.`` prefix allowed); default: the last one.
        queries: Query cells ``(t, y, x)`` on the block's grid (``t = 0`` for
            images); ``None`` picks the ``num_auto`` most concentrated.
        num_auto (int): Queries picked automatically.
        topk (int): Keys marked per query.
        device (str): Torch device.
        panel_size (int): Longer side of a panel in pixels.
        allow_partial (bool): Draw even if the checkpoint's keys do not fit
            the model (refused otherwise, see :func:`.model_input.load_model`).

    Returns:
        dict: ``png``, ``gif`` and ``json`` paths written.
    """
    model, cfg = load_model(config, checkpoint, device, allow_partial)
    name, nl_block = select_block(model.backbone, block)
    sample = prepare_input(model, cfg, path)
    x = capture_input(nl_block, lambda: model.backbone(sample.inputs))
    report = explain_block(nl_block, name, x, grid_3d(sample.inputs.shape[2:]),
                           block_stride(model.backbone, name), queries,
                           num_auto, topk)
    return write_report(report, sample.frames, out_dir, panel_size)
