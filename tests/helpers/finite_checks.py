"""Checks that a module's backward pass stays finite (fp16 / bf16 tests)."""
import torch


def assert_finite_backward(out: torch.Tensor, x: torch.Tensor,
                           module: torch.nn.Module) -> None:
    """Backpropagates ``out.mean()``; the gradients of ``x`` and of every
    parameter that got one must be finite.

    A mean keeps the loss gradient O(1/numel), as real losses do; the
    gradients of a huge loss are the loss scaler's business, not the module's.
    """
    out.float().mean().backward()
    assert torch.isfinite(x.grad).all(), 'non-finite input gradient'
    assert all(
        torch.isfinite(p.grad).all() for p in module.parameters()
        if p.grad is not None), 'non-finite parameter gradient'
