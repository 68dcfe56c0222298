"""Runs the course's notebooks headless and measures each one: wall time, peak kernel memory,
its slowest cells, and the claims it checked (measured and stated verdicts)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from unittest import mock

import nbformat
import psutil
from nbclient import NotebookClient


@dataclass
class NotebookRun:
    """What one headless run of a notebook measured."""

    name: str
    seconds: float
    peak_mb: float
    error: str = ""
    cell_seconds: list[tuple[int, float]] = field(default_factory=list)  # (cell index, wall time), every code cell
    claims: list[dict] = field(default_factory=list)  # as recorded by course_utils.claims.check
    sections: list[dict] = field(default_factory=list)  # per "##" heading: compute seconds, words to read

    def slowest_cells(self, count: int = 3) -> list[tuple[int, float]]:
        """The ``count`` code cells that took longest, slowest first."""
        return sorted(self.cell_seconds, key=lambda cell: -cell[1])[:count]

    def __str__(self) -> str:
        outcome = f"FAILED: {self.error}" if self.error else "ok"
        slowest = "".join(f"  slowest cell {index}: {seconds:.1f} s" for index, seconds in self.slowest_cells(1))
        return f"{self.name:<40} {self.seconds:7.1f} s  {self.peak_mb:7.0f} MB peak{slowest}  {outcome}"


class _PeakMemory:
    """Samples the memory of this process's children (the kernel) until stopped."""

    def __init__(self, interval: float = 0.1):
        self.interval, self.peak = interval, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            total = 0
            for child in psutil.Process().children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass  # a child that ended between listing and reading
            self.peak = max(self.peak, total)
            self._done.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()


def _cell_seconds(notebook) -> list[tuple[int, float]]:
    """Each executed code cell's wall time, from the timestamps the executing client recorded."""
    times = []
    for index, cell in enumerate(notebook.cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                          for key in ("iopub.execute_input", "shell.execute_reply"))
            times.append((index, (end - start).total_seconds()))
    return times


READING_WORDS_PER_MINUTE = 150  # technical prose and code, read with care


def _sections(notebook, cell_seconds: list[tuple[int, float]]) -> list[dict]:
    """The notebook cut at its level-2 headings: each part's compute time and its words to read."""
    seconds = dict(cell_seconds)
    sections = [{"title": "(introduction)", "compute_seconds": 0.0, "words": 0}]
    for index, cell in enumerate(notebook.cells):
        heading = re.match(r"## (.+)", cell.source) if cell.cell_type == "markdown" else None
        if heading:
            sections.append({"title": heading.group(1).strip(), "compute_seconds": 0.0, "words": 0})
        sections[-1]["compute_seconds"] += seconds.get(index, 0.0)
        sections[-1]["words"] += len(cell.source.split())
    for section in sections:
        section["reading_minutes"] = section["words"] / READING_WORDS_PER_MINUTE
    return [section for section in sections if section["words"]]


def run_notebook(path: Path, *, timeout: int = 1800, save_to: Path | None = None) -> NotebookRun:
    """Executes every cell of a notebook in a fresh kernel, in the notebook's folder; with
    ``save_to``, writes the executed notebook (outputs included) into that folder."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    error = ""
    with tempfile.TemporaryDirectory() as folder, _PeakMemory() as memory:
        record = Path(folder) / "claims.jsonl"
        start = time.perf_counter()
        try:
            with mock.patch.dict(os.environ, COURSE_VERDICTS=str(record)):  # the kernel inherits it
                client.execute(stderr=subprocess.DEVNULL)  # TensorFlow's start-up log lines
        except Exception as failure:  # noqa: BLE001 - reported, and the next notebook still runs
            plain = re.sub(r"\x1b\[[0-9;]*m", "", str(failure))  # drop terminal colours
            last_line = (plain.strip().splitlines() or [""])[-1]
            error = f"{type(failure).__name__}: {last_line}"
        seconds = time.perf_counter() - start
        lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    if save_to is not None:
        save_to.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, save_to / path.name)
    cell_seconds = _cell_seconds(notebook)
    return NotebookRun(path.name, seconds, memory.peak / 2**20, error, cell_seconds,
                       [json.loads(line) for line in lines], _sections(notebook, cell_seconds))


def run_course(notebooks: list[Path], mode: str | None = None, save_to: Path | None = None) -> list[NotebookRun]:
    """Runs notebooks in order, printing each result as it comes; ``mode`` sets COURSE_MODE;
    ``save_to`` keeps the executed notebooks there."""
    if mode:
        os.environ["COURSE_MODE"] = mode
    runs = []
    for path in notebooks:
        runs.append(run_notebook(path, save_to=save_to))
        print(runs[-1], flush=True)
    return runs
