"""Every test here runs in the ``mmdet`` scope, as the Runner would run an
MMDetection config."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def _mmdet_scope():
    with DefaultScope.overwrite_default_scope('mmdet'):
        yield
