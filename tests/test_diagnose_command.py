"""``python -m course_utils diagnose PATH``: each input kind, every symptom, and bad input.

The command runs in a subprocess on a real run's CSVLogger file, and on a missing file; the same real
run's other kinds of file and the per-symptom checks call ``main`` in-process, on files written by
Keras's own callbacks.
"""

import os
import subprocess
import sys

import pytest

from course_utils.__main__ import main
from course_utils.loss_doctor import PROBLEMS
from histories import (
    HAS_TENSORBOARD, SYMPTOM_HISTORIES, needs_tensorboard, real_fit, write_csv, write_json, write_tensorboard,
)
from project import ROOT

WRITERS = {"csv": (write_csv, "log.csv"), "json": (write_json, "history.json"),
           "tensorboard": (write_tensorboard, "logs")}


def run_command(*arguments):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-m", "course_utils", "diagnose", *map(str, arguments)],
                          capture_output=True, text=True, env=environment, timeout=600)


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    return folder, real_fit(folder, epochs=5, tensorboard=HAS_TENSORBOARD)


def assert_reports_the_run(out, history):
    assert "ln(3) = 1.099" in out and "5 epochs" in out
    assert f"{history['loss'][-1]:.3f}" in out  # the evidence quotes the run's own numbers


@pytest.mark.slow  # runs the command in another Python
def test_the_command_on_a_real_run_prints_its_findings_and_a_status(real_run):
    folder, history = real_run
    result = run_command(folder / "training.csv", "--classes", 3)
    assert result.returncode in (0, 1), result.stderr
    assert_reports_the_run(result.stdout, history)


@pytest.mark.parametrize("name", ["history.json", pytest.param("logs", marks=needs_tensorboard)])
def test_the_real_runs_other_kinds_of_file_give_its_findings(real_run, capsys, name):
    folder, history = real_run
    assert main(["diagnose", str(folder / name), "--classes", "3"]) in (0, 1)
    assert_reports_the_run(capsys.readouterr().out, history)


@pytest.mark.parametrize("kind", WRITERS)
@pytest.mark.parametrize("symptom", list(SYMPTOM_HISTORIES))
def test_every_symptom_through_every_input_kind(tmp_path, capsys, kind, symptom):
    if kind == "tensorboard" and not HAS_TENSORBOARD:
        pytest.skip("Keras's TensorBoard callback needs the tensorboard package to write logs")
    writer, name = WRITERS[kind]
    path = writer(SYMPTOM_HISTORIES[symptom], tmp_path / name)
    status = main(["diagnose", str(path)])
    out = capsys.readouterr().out
    assert f"- {symptom} (" in out
    assert status == (1 if symptom in PROBLEMS else 0)


def test_the_number_of_classes_changes_the_verdict(tmp_path, capsys):
    path = write_json({"loss": [0.70, 0.693, 0.692, 0.693]}, tmp_path / "h.json")
    assert main(["diagnose", str(path), "--classes", "2"]) == 1
    assert "stuck at chance" in capsys.readouterr().out
    assert main(["diagnose", str(path)]) == 0
    out = capsys.readouterr().out
    assert "assumed" in out and "stuck" not in out


@pytest.mark.parametrize("content, words", [
    ("just some text\n", "unknown format"),
    ('{"accuracy": [0.1, 0.2, 0.3]}', "no loss column"),
    ('{"loss": [2.3, 2.2]}', "Too few epochs"),
    ('{"loss": [2.3, 2.2', "not valid JSON"),
])
def test_unreadable_input_exits_2_with_a_clear_message(tmp_path, capsys, content, words):
    path = tmp_path / "history.txt"
    path.write_text(content)
    assert main(["diagnose", str(path)]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and not captured.out


def test_a_nan_in_the_first_epochs_is_diagnosed_not_refused(tmp_path, capsys):
    path = write_json({"loss": [4.0, float("nan")]}, tmp_path / "h.json")
    assert main(["diagnose", str(path)]) == 1
    assert "diverged" in capsys.readouterr().out


@pytest.mark.slow  # runs the command in another Python
def test_a_missing_file_exits_2_from_the_command_line(tmp_path):
    result = run_command(tmp_path / "missing.csv")
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_a_bad_number_of_classes_is_refused_by_the_parser(tmp_path, capsys):
    path = write_json(SYMPTOM_HISTORIES["healthy"], tmp_path / "h.json")
    with pytest.raises(SystemExit) as exit_:
        main(["diagnose", str(path), "--classes", "1"])
    assert exit_.value.code == 2 and "at least 2" in capsys.readouterr().err
