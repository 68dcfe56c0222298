"""Runs the course's notebooks headless and measures each one: wall time and peak kernel memory."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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

    def __str__(self) -> str:
        outcome = f"FAILED: {self.error}" if self.error else "ok"
        return f"{self.name:<40} {self.seconds:7.1f} s  {self.peak_mb:7.0f} MB peak  {outcome}"


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


def run_notebook(path: Path, *, timeout: int = 1800) -> NotebookRun:
    """Executes every cell of a notebook in a fresh kernel, in the notebook's folder."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = ""
    with _PeakMemory() as memory:
        try:
            client.execute(stderr=subprocess.DEVNULL)  # TensorFlow's start-up log lines
        except Exception as failure:  # noqa: BLE001 - reported, and the next notebook still runs
            plain = re.sub(r"\x1b\[[0-9;]*m", "", str(failure))  # drop terminal colours
            last_line = (plain.strip().splitlines() or [""])[-1]
            error = f"{type(failure).__name__}: {last_line}"
    return NotebookRun(path.name, time.perf_counter() - start, memory.peak / 2**20, error)


def run_course(notebooks: list[Path], mode: str | None = None) -> list[NotebookRun]:
    """Runs notebooks in order, printing each result as it comes; ``mode`` sets COURSE_MODE."""
    if mode:
        os.environ["COURSE_MODE"] = mode
    runs = []
    for path in notebooks:
        runs.append(run_notebook(path))
        print(runs[-1], flush=True)
    return runs
