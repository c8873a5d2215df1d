"""Every test here runs in the ``mmaction`` scope, as the Runner would run an
MMAction2 config."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def _mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield
