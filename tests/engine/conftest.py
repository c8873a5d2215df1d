"""Fixtures of the tool tests: a tiny synthetic video set the demo configs
read through ``SYNTHETIC_VIDEOS_ROOT``."""
import pytest

from tiny_videos import make_tiny_synthetic


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    return make_tiny_synthetic(str(tmp_path_factory.mktemp('tiny_videos')))


@pytest.fixture
def demo_env(tiny_root, monkeypatch):
    monkeypatch.setenv('SYNTHETIC_VIDEOS_ROOT', tiny_root)
    return tiny_root
