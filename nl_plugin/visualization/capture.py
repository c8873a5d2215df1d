"""Finding a model's non-local blocks by name and capturing a block's input."""
from typing import Callable, List, Optional, Tuple

import torch
import torch.nn as nn

from ..blocks import NonLocalBlockNd

BACKBONE_PREFIX = 'backbone.'


class _Captured(Exception):
    """Stops the forward pass once the block's input is captured."""


def non_local_blocks(backbone: nn.Module) -> List[Tuple[str, NonLocalBlockNd]]:
    """``(name, block)`` of every non-local block of ``backbone``, in forward
    order.

    Names are relative to the backbone, as the NL-ResNets'
    ``non_local_blocks()`` give them (e.g. ``layer3.0.non_local_block``).
    """
    return [(name, module) for name, module in backbone.named_modules()
            if isinstance(module, NonLocalBlockNd)]


def select_block(backbone: nn.Module,
                 name: Optional[str] = None) -> Tuple[str, NonLocalBlockNd]:
    """The non-local block called ``name`` (default: the last one).

    ``name`` may carry the ``backbone.`` prefix of the recognizer/detector.

    Raises:
        ValueError: if the backbone has no non-local block, or none called
        ``name``
            (the message lists the valid names).
    """
    blocks = non_local_blocks(backbone)
    if not blocks:
        raise ValueError(
            f'{type(backbone).__name__} has no non-local blocks: check '
            "the backbone's non_local setting")
    if name is None:
        return blocks[-1]
    key = name[len(BACKBONE_PREFIX):] if name.startswith(
        BACKBONE_PREFIX) else name
    for block_name, block in blocks:
        if block_name == key:
            return block_name, block
    valid = ', '.join(block_name for block_name, _ in blocks)
    raise ValueError(
        f'no non-local block named {name!r}; valid names: {valid}')


def capture_input(block: nn.Module, forward: Callable[[],
                                                      object]) -> torch.Tensor:
    """Runs ``forward()`` until ``block`` is reached and returns the block's
    input.

    The rest of the forward pass is skipped (a pre-hook raises once it has the
    input), so heads and later stages cost nothing.

    Raises:
        RuntimeError: if ``forward()`` never calls ``block``.
    """
    captured = []

    def hook(module, args):
        captured.append(args[0].detach())
        raise _Captured

    handle = block.register_forward_pre_hook(hook)
    try:
        with torch.no_grad():
            forward()
    except _Captured:
        pass
    finally:
        handle.remove()
    if not captured:
        raise RuntimeError(
            f'the forward pass never reached the block '
            f'{type(block).__name__}: is it part of the model that ran?')
    return captured[0]
