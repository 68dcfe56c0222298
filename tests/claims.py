"""Runs a notebook headless in fast mode and returns the verdicts its claim table measured."""

import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from course_utils.runner import run_notebook

from project import ROOT


def notebook_verdicts(name: str) -> dict[str, bool]:
    """Claim text → measured verdict, from one fast-mode run of ``notebooks/<name>``."""
    with tempfile.TemporaryDirectory() as folder:
        record = Path(folder) / "verdicts.jsonl"
        with mock.patch.dict(os.environ, COURSE_MODE="fast", COURSE_VERDICTS=str(record)):
            run = run_notebook(ROOT / "notebooks" / name)
        assert not run.error, f"{name} failed: {run.error}"
        assert record.exists(), f"{name} built no verdict table"
        rows = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    return {row["claim"]: row["holds"] for row in rows}


def verdict_about(verdicts: dict[str, bool], words: str) -> bool:
    """The verdict of the one claim that contains ``words``."""
    matches = [claim for claim in verdicts if words in claim]
    assert len(matches) == 1, f"{len(matches)} claims contain {words!r}: {list(verdicts)}"
    return verdicts[matches[0]]


def unstated(verdicts: dict[str, bool], stated: dict[str, bool]) -> list[str]:
    """The measured claims that no stated phrase matches: a table row the prose is silent on."""
    return [claim for claim in verdicts if not any(words in claim for words in stated)]
