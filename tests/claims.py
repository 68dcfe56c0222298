"""What a notebook's one run in this test session left: the claims it checked, its executed copy.

Under ``make test`` nbval runs each notebook once, before the other tests reach for it, and the
project's conftest records its claims in ``artifacts/verdicts/<notebook>.jsonl``. A notebook that the
other test worker is still running is waited for. When this session did not run the notebook under
nbval (a claims test run on its own), the notebook is run here instead.
"""

import json
import os
import time
from pathlib import Path
from unittest import mock

from course_utils.runner import run_notebook

from project import ROOT

VERDICTS_DIR = ROOT / "artifacts" / "verdicts"
WAIT_LIMIT = 900  # seconds: a bound on waiting for a notebook run to finish, not a speed requirement


def _read(record: Path) -> list[dict]:
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def finished_status(stem: str) -> dict | None:
    """The status of this session's run of the notebook once it has finished; None if this session
    has not run it."""
    status_file, deadline = VERDICTS_DIR / f"{stem}.status.json", time.monotonic() + WAIT_LIMIT
    while status_file.exists():
        status = json.loads(status_file.read_text(encoding="utf-8"))
        if status["session"] != os.environ.get("COURSE_TEST_SESSION"):
            return None
        if not status["running"]:
            return status
        assert time.monotonic() < deadline, f"{stem} was still running after {WAIT_LIMIT} s"
        time.sleep(1)
    return None


def _from_this_session(stem: str) -> list[dict] | None:
    status, record = finished_status(stem), VERDICTS_DIR / f"{stem}.jsonl"
    if status is None:
        return None
    assert not status["failed"], f"{stem} had failing cells in this session's run: {status['failed']}"
    assert record.exists(), f"{stem} ran but checked no claim"
    return _read(record)


def notebook_claims(name: str) -> list[dict]:
    """Every claim ``notebooks/<name>`` checked in fast mode, as recorded (one dict per claim)."""
    stem = Path(name).stem
    claims = _from_this_session(stem)
    if claims is not None:
        return claims
    with mock.patch.dict(os.environ, COURSE_MODE="fast"):
        run = run_notebook(ROOT / "notebooks" / name)
    assert not run.error, f"{name} failed: {run.error}"
    assert run.claims, f"{name} checked no claim"
    return run.claims


def executed_this_session() -> list[Path]:
    """The executed copies nbval's run saved in this session, one per notebook that ran completely."""
    copies = []
    for status_file in sorted(VERDICTS_DIR.glob("*.status.json")):
        stem = status_file.name.removesuffix(".status.json")
        status, copy = finished_status(stem), ROOT / "artifacts" / "executed" / "fast" / f"{stem}.ipynb"
        if status is not None and not status["failed"] and copy.exists():
            copies.append(copy)
    return copies
