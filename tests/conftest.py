"""Shared fixtures. ``tests/helpers`` (independent references, tiny videos,
tool loading) is on the path through ``pythonpath`` in ``setup.cfg``."""
import pytest
import torch

import nl_plugin.action  # noqa: F401  registers the video modules
import nl_plugin.det  # noqa: F401  registers the detection modules


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
