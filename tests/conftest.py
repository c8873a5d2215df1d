import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))  # reference implementations
import nl_plugin  # noqa: E402,F401  registers every module


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
