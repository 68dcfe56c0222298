"""The order of `make test`'s one run (conftest.py): notebooks first, the longest first, the tests that
read their runs last; and a reader waits for a notebook the other worker is still running."""

import re
import threading
from types import SimpleNamespace

import pytest

import claims
from project import ROOT


@pytest.fixture
def conftest(pytestconfig):
    """The project's conftest.py, as pytest loaded it (tests/ has a conftest.py of its own)."""
    return next(plugin for plugin in pytestconfig.pluginmanager.get_plugins()
                if getattr(plugin, "__file__", None) == str(ROOT / "conftest.py"))


def names_in_run_order(conftest, *paths):
    items = [SimpleNamespace(path=ROOT / path) for path in paths]
    return [item.path.name for item in sorted(items, key=conftest.run_order)]


def test_notebooks_first_the_longest_first_and_the_readers_of_their_runs_last(conftest):
    assert names_in_run_order(conftest, "tests/test_site.py", "tests/test_config.py", "tests/test_claims.py",
                              "tests/test_browser.py", "notebooks/00_start_here.ipynb",
                              "notebooks/01_stuck_at_ln10.ipynb") == [
        "01_stuck_at_ln10.ipynb", "00_start_here.ipynb", "test_browser.py", "test_config.py", "test_site.py",
        "test_claims.py"]


def test_every_file_named_in_the_order_exists(conftest):
    for name in conftest.LONGEST_FIRST + conftest.READ_THE_NOTEBOOK_RUNS:
        assert (ROOT / "notebooks" / name).exists() or (ROOT / "tests" / name).exists(), name


def test_every_test_file_that_reads_the_notebook_runs_comes_after_them(conftest):
    readers = {path.name for path in (ROOT / "tests").glob("test_*.py")
               if re.search(r"^\s*from claims import", path.read_text(encoding="utf-8"), re.MULTILINE)}
    # The browser test goes early, as the longest file: its site page needs notebook 01, the first to run.
    assert readers - {"test_browser.py"} <= set(conftest.READ_THE_NOTEBOOK_RUNS)


@pytest.fixture
def verdicts_dir(conftest, tmp_path, monkeypatch):
    monkeypatch.setattr(conftest, "VERDICTS_DIR", tmp_path)
    monkeypatch.setattr(claims, "VERDICTS_DIR", tmp_path)
    monkeypatch.setenv("COURSE_TEST_SESSION", "this-session")
    return tmp_path


def test_a_notebook_still_running_is_waited_for(conftest, verdicts_dir):
    conftest.write_status("01_stuck_at_ln10", {"running": True})
    finishing = threading.Timer(1.5, conftest.write_status, ["01_stuck_at_ln10", {"running": False, "failed": []}])
    finishing.start()
    try:
        assert claims.finished_status("01_stuck_at_ln10") == {"session": "this-session", "running": False,
                                                               "failed": []}
    finally:
        finishing.cancel()
    assert [path.name for path in verdicts_dir.iterdir()] == ["01_stuck_at_ln10.status.json"]


def test_a_run_of_another_session_or_none_is_not_this_sessions(conftest, verdicts_dir, monkeypatch):
    assert claims.finished_status("01_stuck_at_ln10") is None
    conftest.write_status("01_stuck_at_ln10", {"running": True})
    monkeypatch.setenv("COURSE_TEST_SESSION", "a-later-session")
    assert claims.finished_status("01_stuck_at_ln10") is None
