"""The course report: what one headless run of the notebooks measured, as Markdown and JSON.

``python -m course_utils run --mode default --report reports`` writes ``reports/default.md`` and
``reports/default.json``: per notebook its wall time, peak kernel memory, slowest cells, the time
of each section (compute, and words to read), and every claim it checked, with the verdict the
text states and whether this run agrees.
"""

from __future__ import annotations

import json
import os
import platform
from collections import Counter
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .config import course_seeds
from .runner import NotebookRun

PACKAGES = ("tensorflow", "keras", "numpy", "ipywidgets", "jupyterlab")


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict:
    """Where the run happened: the platform, the cores, the load, and the versions that matter."""
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
            "platform": platform.platform(), "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None,
            "seeds": ",".join(map(str, course_seeds())),
            **{name: _installed(name) for name in PACKAGES}}


def _claims_summary(run: NotebookRun) -> str:
    counts = Counter((claim["source"], claim["verdict"]) for claim in run.claims)
    return "; ".join(f"{source}: {count} {verdict}" for (source, verdict), count in sorted(counts.items()))


def markdown(runs: list[NotebookRun], mode: str, about: dict) -> str:
    """The report as Markdown: a summary table, then every notebook's claims."""
    lines = [f"# Course report, {mode} mode", "",
             "Machine: " + ", ".join(f"{key} {value}" for key, value in about.items()), "",
             "| notebook | wall time | peak kernel memory | slowest cells | claims | disagreeing with the text |",
             "|---|---|---|---|---|---|"]
    for run in runs:
        slowest = ", ".join(f"cell {index}: {seconds:.1f} s" for index, seconds in run.slowest_cells())
        disagreeing = sum(claim["stated"] not in ("varies", claim["verdict"]) for claim in run.claims)
        status = f" (FAILED: {run.error})" if run.error else ""
        lines.append(f"| {run.name}{status} | {run.seconds:.1f} s | {run.peak_mb:.0f} MB | {slowest} "
                     f"| {len(run.claims)} | {disagreeing} |")
    for run in runs:
        lines += ["", f"## {run.name}", "", "| section | compute | reading (words) |", "|---|---|---|"]
        lines += [f"| {section['title']} | {section['compute_seconds']:.1f} s "
                  f"| {section['reading_minutes']:.1f} min ({section['words']}) |" for section in run.sections]
        if not run.claims:
            continue
        lines += ["", f"Claims by source and verdict: {_claims_summary(run)}.", "",
                  "| source | claim | measured | verdict | the text states | agrees |", "|---|---|---|---|---|---|"]
        for claim in run.claims:
            agrees = "yes" if claim["stated"] in ("varies", claim["verdict"]) else "**no**"
            lines.append(f"| {claim['source']} | {claim['claim']} | {claim['measurement']} | {claim['verdict']} "
                         f"| {claim['stated']} | {agrees} |")
    return "\n".join(lines) + "\n"


def write_report(runs: list[NotebookRun], mode: str, folder: Path, name: str | None = None) -> Path:
    """Writes ``<folder>/<name>.md`` and ``<name>.json`` (the name defaults to the mode); returns the
    Markdown file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    about = machine()
    name = name or mode
    (folder / f"{name}.json").write_text(json.dumps({"mode": mode, "machine": about,
                                                    "notebooks": [asdict(run) for run in runs]}, indent=1),
                                         encoding="utf-8")
    path = folder / f"{name}.md"
    path.write_text(markdown(runs, mode, about), encoding="utf-8")
    return path
