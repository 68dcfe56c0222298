import random
import threading

import numpy as np
import pytest

from course_utils import config


def test_mode_follows_environment(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "fast")
    assert config.course_mode() == "fast" and config.by_mode(fast=1, default=20) == 1
    monkeypatch.setenv("COURSE_MODE", "")
    assert config.course_mode() == "default" and config.by_mode(fast=1, default=20) == 20
    monkeypatch.delenv("COURSE_MODE")
    assert not config.is_fast()


def test_set_seed_repeats_python_numpy_and_tensorflow():
    import tensorflow as tf

    def draw():
        return random.random(), np.random.rand(), float(tf.random.uniform(()))

    config.set_seed(7)
    first = draw()
    config.set_seed(7)
    assert draw() == first
    config.set_seed(8)
    assert draw() != first


def test_where_it_runs(monkeypatch):
    for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST"):
        monkeypatch.delenv(name, raising=False)
    assert config.where_it_runs() == "local"
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    assert config.where_it_runs() == "binder"
    monkeypatch.setitem(__import__("sys").modules, "google.colab", object())
    assert config.where_it_runs() == "colab"


def test_offline_switch_answers_false(monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setattr(config, "_can_connect", lambda *args: pytest.fail("must not probe"))
    assert config.is_online() is False


@pytest.mark.parametrize("reachable", [True, False])
def test_online_reports_the_probe(monkeypatch, reachable):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.setattr(config, "_can_connect", lambda *args: reachable)
    assert config.is_online() is reachable


def test_online_returns_while_the_probe_still_hangs(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    release = threading.Event()
    monkeypatch.setattr(config, "_can_connect", lambda *args: release.wait() or True)
    try:
        assert config.is_online(timeout=0.2) is False
        assert not release.is_set()  # the answer came while the probe was still blocked
    finally:
        release.set()


def test_online_never_raises_on_a_refused_or_unknown_host(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    assert config.is_online("no-such-host.invalid", timeout=0.5) is False
    assert config.is_online("127.0.0.1", port=1, timeout=0.5) is False


def test_data_dir_prefers_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert config.data_dir() == tmp_path
    monkeypatch.delenv("COURSE_DATA_DIR")
    assert config.data_dir() == config.PACKAGE_DIR.parent / "data"
