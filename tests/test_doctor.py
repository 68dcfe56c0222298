import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import psutil
import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from project import PYPROJECT

from course_utils import config, data, doctor
from course_utils.__main__ import main

REPO = Path(__file__).resolve().parents[1]
STATUSES = {doctor.PASS, doctor.WARN, doctor.FAIL}


def by_name(checks):
    return {check.name: check for check in checks}


def tiny_arrays():
    images = np.zeros((20, 28, 28), dtype=np.uint8)
    labels = np.arange(20) % 10
    return {"x_train": images, "y_train": labels, "x_test": images, "y_test": labels}


def fake_versions(monkeypatch, **versions):
    """Patches importlib.metadata.version: a name given None is missing, a string is its version."""
    real_version = importlib.metadata.version

    def version(distribution):
        if distribution not in versions:
            return real_version(distribution)
        if versions[distribution] is None:
            raise importlib.metadata.PackageNotFoundError(distribution)
        return versions[distribution]

    monkeypatch.setattr(importlib.metadata, "version", version)


def test_run_checks_covers_the_set_up_and_tensorflow_passes_here():
    checks = doctor.run_checks(smoke_training=False)
    assert {check.status for check in checks} <= STATUSES
    named = by_name(checks)
    assert {"Python", "TensorFlow", "JupyterLab", "ipywidgets", "matplotlib", "Memory",
            "Offline data", "Download data"} <= set(named)
    assert "Smoke training" not in named
    assert named["TensorFlow"].status == doctor.PASS
    assert "Keras 3." in named["TensorFlow"].detail
    assert named["Offline data"].status == doctor.PASS


def test_format_check_lines_up_status_name_and_detail():
    line = doctor.format_check(doctor.Check(doctor.PASS, "TensorFlow", "2.21.0 (Keras 3.15.1)"))
    assert line == "PASS  TensorFlow     2.21.0 (Keras 3.15.1)"
    assert doctor.format_check(doctor.Check(doctor.WARN, "Smoke training", "x")) == "WARN  Smoke training x"


def test_summary_counts_statuses_and_says_whether_ready():
    checks = [doctor.Check(doctor.PASS, "a", ""), doctor.Check(doctor.WARN, "b", "")]
    assert doctor.summarize(checks).startswith("Summary: 1 PASS, 1 WARN, 0 FAIL. Ready")
    checks.append(doctor.Check(doctor.FAIL, "c", ""))
    assert "Not ready" in doctor.summarize(checks)


@pytest.fixture
def declared(monkeypatch):
    """Declares ``requires-python`` and dependencies as pyproject.toml would, for the doctor to read."""
    def declare(requires_python, dependencies):
        monkeypatch.setattr(doctor, "_declared", lambda: (requires_python, dependencies))
        doctor.supported_ranges.cache_clear()

    yield declare
    doctor.supported_ranges.cache_clear()


@pytest.mark.parametrize("version, status", [((3, 9, 18), "WARN"), ((3, 10, 0), "PASS"),
                                             ((3, 13, 1), "PASS"), ((3, 14, 0), "WARN")])
def test_a_python_outside_the_declared_range_warns(monkeypatch, declared, version, status):
    declared(">=3.10,<3.14", ["ipywidgets>=7.7,<9"])
    monkeypatch.setattr(doctor, "sys", SimpleNamespace(version_info=version))
    check = doctor.check_python()
    assert check.status == status
    assert check.detail.startswith(".".join(map(str, version)))
    assert status == "PASS" or "<3.14,>=3.10" in check.detail


def test_the_doctor_follows_the_declared_range_not_its_own(monkeypatch, declared):
    declared(">=3.12", ["ipywidgets>=8.1", "pytest>=7; extra == 'test'"])
    monkeypatch.setattr(doctor, "sys", SimpleNamespace(version_info=(3, 11, 7)))
    assert doctor.check_python().status == doctor.WARN
    fake_versions(monkeypatch, ipywidgets="7.7.1")
    assert doctor.check_ipywidgets().status == doctor.WARN
    assert "pytest" not in doctor.supported_ranges()  # the test extra is not what a learner needs


def test_the_doctors_ranges_are_pyprojects():
    doctor.supported_ranges.cache_clear()
    ranges = doctor.supported_ranges()
    assert ranges["python"] == SpecifierSet(PYPROJECT["project"]["requires-python"])
    declared = {Requirement(line).name: Requirement(line).specifier for line in PYPROJECT["project"]["dependencies"]}
    assert ranges["ipywidgets"] == declared["ipywidgets"] and ranges["keras"] == declared["keras"]


def test_without_pyproject_the_installed_metadata_is_read(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "PACKAGE_DIR", tmp_path / "course_utils")
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: {"Requires-Python": ">=3.10,<3.14"})
    monkeypatch.setattr(importlib.metadata, "requires", lambda name: ["ipywidgets<9,>=7.7", 'nbval; extra == "test"'])
    doctor.supported_ranges.cache_clear()
    try:
        assert doctor.supported_ranges() == {"python": SpecifierSet(">=3.10,<3.14"), "ipywidgets": SpecifierSet(">=7.7,<9")}
    finally:
        doctor.supported_ranges.cache_clear()


def test_missing_tensorflow_or_keras_2_fails(monkeypatch):
    import keras

    monkeypatch.setattr(keras, "__version__", "2.15.0")
    check = doctor.check_tensorflow()
    assert check.status == doctor.FAIL and "Keras >=3" in check.detail
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # makes `import tensorflow` raise
    check = doctor.check_tensorflow()
    assert check.status == doctor.FAIL and "not importable" in check.detail


@pytest.mark.parametrize("available_gb, status", [(0.9, "WARN"), (1.49, "WARN"), (1.5, "PASS"), (8, "PASS")])
def test_free_memory_below_1_5_gb_warns(monkeypatch, available_gb, status):
    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=available_gb * 1e9))
    check = doctor.check_memory()
    assert check.status == status
    assert check.detail.startswith(f"{available_gb:.1f} GB free")
    if status == "WARN":
        assert "1.5 GB" in check.detail


def test_downloaded_data_sets_warn_offline_without_cache(empty_data_dir, offline):
    check = doctor.check_downloaded_datasets()
    assert check.status == doctor.WARN
    assert "fashion_mnist, cifar10" in check.detail and "digits" in check.detail
    assert str(empty_data_dir / "cache") in check.detail
    assert not (empty_data_dir / "cache").exists()  # nothing downloaded or created


def test_downloaded_data_sets_pass_when_cached_and_warn_about_the_missing_one(empty_data_dir, offline):
    data.write_cache("fashion_mnist", tiny_arrays())
    check = doctor.check_downloaded_datasets()
    assert check.status == doctor.WARN
    assert "cifar10" in check.detail and "fashion_mnist" not in check.detail
    data.write_cache("cifar10", tiny_arrays())
    assert doctor.check_downloaded_datasets().status == doctor.PASS


def test_downloaded_data_sets_pass_online_without_cache(empty_data_dir, online):
    check = doctor.check_downloaded_datasets()
    assert check.status == doctor.PASS and "first use" in check.detail


def test_downloaded_data_sets_warn_in_fast_mode_even_online(empty_data_dir, online, monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "fast")
    check = doctor.check_downloaded_datasets()
    assert check.status == doctor.WARN and "fast mode uses offline data" in check.detail


def test_missing_jupyterlab_fails_locally_and_warns_on_colab(monkeypatch):
    fake_versions(monkeypatch, jupyterlab=None)
    monkeypatch.setattr(config, "where_it_runs", lambda: "local")
    assert doctor.check_jupyterlab().status == doctor.FAIL
    monkeypatch.setattr(config, "where_it_runs", lambda: "colab")
    check = doctor.check_jupyterlab()
    assert check.status == doctor.WARN and "Colab" in check.detail


def test_missing_matplotlib_or_ipywidgets_fails(monkeypatch):
    fake_versions(monkeypatch, matplotlib=None, ipywidgets=None)
    assert doctor.check_matplotlib().status == doctor.FAIL
    assert doctor.check_ipywidgets().status == doctor.FAIL


@pytest.mark.parametrize("version, status", [("7.6.5", "WARN"), ("7.7.1", "PASS"), ("8.1.5", "PASS"),
                                             ("8.2.0rc1", "PASS"), ("9.0.0", "WARN")])
def test_ipywidgets_outside_7_7_to_9_warns(monkeypatch, version, status):
    fake_versions(monkeypatch, ipywidgets=version)
    check = doctor.check_ipywidgets()
    assert check.status == status and check.detail.startswith(version)


def test_a_check_that_raises_becomes_a_fail_line_and_main_exits_1(monkeypatch, capsys):
    def broken():
        raise RuntimeError("psutil is broken")

    monkeypatch.setattr(psutil, "virtual_memory", broken)
    check = doctor.check_memory()
    assert check == doctor.Check(doctor.FAIL, "Memory", "RuntimeError: psutil is broken")

    assert main(["doctor", "--no-training"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "FAIL  Memory         RuntimeError: psutil is broken" in lines
    assert any(line.startswith("PASS  TensorFlow") for line in lines)  # the other checks still ran
    assert lines[-1].startswith("Summary:") and "1 FAIL" in lines[-1]


def test_a_failing_data_set_load_does_not_stop_the_other_checks(monkeypatch):
    def broken(name, **kwargs):
        raise OSError(f"cannot read {name}")

    monkeypatch.setattr(data, "load_dataset", broken)
    named = by_name(doctor.run_checks(smoke_training=True))
    assert named["Offline data"].detail == "OSError: cannot read digits"
    assert named["Smoke training"].status == doctor.FAIL
    assert named["Memory"].status in {doctor.PASS, doctor.WARN}


def test_main_without_subcommand_prints_help_and_returns_2(capsys):
    assert main([]) == 2
    assert "doctor" in capsys.readouterr().out


def run_module(*args, tmp_path):
    env = {**os.environ, "COURSE_OFFLINE": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
           "COURSE_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "course_utils", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_doctor_end_to_end(tmp_path):
    result = run_module("doctor", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[-1].startswith("Summary:")
    assert all(line[:4] in STATUSES for line in lines[:-1]), lines
    assert "Traceback" not in result.stderr
    named = {line[6:20].strip(): line for line in lines[:-1]}
    assert named["Smoke training"].startswith("PASS")
    assert named["Download data"].startswith("WARN")  # offline, with an empty data folder
