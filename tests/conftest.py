"""Fixtures shared by the unit tests."""

import pytest


@pytest.fixture
def empty_data_dir(monkeypatch, tmp_path):
    """A fresh, empty data folder for the cache."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def online(monkeypatch):
    """The network answers, in the learner's default mode (fast mode never downloads)."""
    from course_utils import config

    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.setattr(config, "is_online", lambda: True)


@pytest.fixture
def offline(monkeypatch):
    """No network, the way a learner switches it off (``COURSE_OFFLINE=1``), in the default mode."""
    monkeypatch.setenv("COURSE_MODE", "default")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
