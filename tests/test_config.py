import io
import os
import random
import threading
from unittest import mock

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


def test_seeds_are_two_unless_the_environment_lists_others(monkeypatch):
    monkeypatch.delenv("COURSE_SEEDS", raising=False)
    assert config.course_seeds() == (0, 1)
    monkeypatch.setenv("COURSE_SEEDS", " 0,1, 2 ")
    assert config.course_seeds() == (0, 1, 2)


@pytest.mark.parametrize("text", ["0,one", "0,,1", "0.5", "1,1"])
def test_seeds_refuse_what_is_not_a_list_of_distinct_whole_numbers(text):
    with pytest.raises(ValueError, match="seed"):
        config.parse_seeds(text)


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


CGROUP = "/sys/fs/cgroup"


@pytest.fixture
def fake_cgroup(monkeypatch):
    """Shows the files a container's cgroup shows, v2's ``cpu.max`` or v1's two CFS files, to the
    code that reads them (loky's, in joblib), whatever this machine has."""
    from joblib.externals.loky.backend import context

    files = {}
    real_exists, real_open = os.path.exists, open
    monkeypatch.setattr(context.os.path, "exists",
                        lambda path: path in files if str(path).startswith(CGROUP) else real_exists(path))
    monkeypatch.setattr(context, "open", lambda path, *args, **kwargs: io.StringIO(files[path])
                        if str(path).startswith(CGROUP) else real_open(path, *args, **kwargs), raising=False)

    def show(version, quota, period=100000):
        files.clear()
        if version == 2:
            files[f"{CGROUP}/cpu.max"] = f"{quota} {period}\n"
        elif version == 1:
            files[f"{CGROUP}/cpu/cpu.cfs_quota_us"] = f"{quota}\n"
            files[f"{CGROUP}/cpu/cpu.cfs_period_us"] = f"{period}\n"

    return show


@pytest.fixture
def many_cores(monkeypatch):
    """A 64-core host whose cores this process may all use, unless a quota says otherwise."""
    monkeypatch.setattr(config.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(config.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False)
    monkeypatch.delenv("LOKY_MAX_CPU_COUNT", raising=False)
    with mock.patch.dict(os.environ):  # restores the variables limit_threads sets, set before or not
        for variable in config.THREAD_VARIABLES:
            os.environ.pop(variable, None)
        yield


@pytest.mark.parametrize("version, quota, cores", [
    (2, 100000, 1), (2, 150000, 2), (2, 50000, 1), (2, "max", 64),
    (1, 200000, 2), (1, -1, 64), (0, None, 64),
])
def test_cpu_limit_reads_the_containers_quota(many_cores, fake_cgroup, version, quota, cores):
    fake_cgroup(version, quota)
    assert config.cpu_limit() == cores


def test_cpu_limit_follows_the_affinity_and_loky_max_cpu_count(many_cores, fake_cgroup, monkeypatch):
    fake_cgroup(0, None)
    monkeypatch.setattr(config.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert config.cpu_limit() == 3
    monkeypatch.setenv("LOKY_MAX_CPU_COUNT", "2")
    assert config.cpu_limit() == 2


def test_limit_threads_sizes_tensorflows_pools_to_the_container(many_cores, fake_cgroup):
    fake_cgroup(2, 100000)
    assert config.limit_threads() == 1
    assert [os.environ[variable] for variable in config.THREAD_VARIABLES] == ["1", "1"]


def test_limit_threads_keeps_a_learners_own_setting(many_cores, fake_cgroup, monkeypatch):
    monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", "4")
    fake_cgroup(1, 200000)
    config.limit_threads()
    assert os.environ["TF_NUM_INTRAOP_THREADS"] == "4" and os.environ["TF_NUM_INTEROP_THREADS"] == "2"


def test_limit_threads_leaves_an_unlimited_machine_alone(many_cores, fake_cgroup):
    fake_cgroup(2, "max")
    assert config.limit_threads() is None
    assert not any(variable in os.environ for variable in config.THREAD_VARIABLES)
