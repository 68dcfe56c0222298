"""nbval compares a checked cell's stdout and results, never its stderr (where TensorFlow logs)."""

import os
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from project import ROOT

CHECKED_CELL = "# NBVAL_CHECK_OUTPUT\nimport random, sys\nprint('stable')\nprint(random.random(), file=sys.stderr)"

pytestmark = pytest.mark.slow  # each test starts a kernel or another Python


def run_nbval(tmp_path, stored_stdout):
    cell = new_code_cell(CHECKED_CELL, execution_count=1, outputs=[
        new_output("stream", name="stdout", text=stored_stdout),
        new_output("stream", name="stderr", text="a log line from another day\n"),
    ])
    notebook = new_notebook(cells=[cell])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "checked.ipynb")
    command = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q",
               "--nbval-lax", "--nbval-current-env", "checked.ipynb"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # loads the project's conftest.py as a plugin
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)


def test_different_stderr_passes(tmp_path):
    result = run_nbval(tmp_path, "stable\n")
    assert result.returncode == 0, result.stdout[-2000:]


def test_different_stdout_still_fails(tmp_path):
    result = run_nbval(tmp_path, "changed\n")
    assert result.returncode == 1 and "1 failed" in result.stdout
