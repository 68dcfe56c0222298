"""Twenty runs of each knob panel in one kernel: how much does the kernel's memory grow?

For each notebook with a ``KnobPanel`` (found by parsing the notebooks' code, so a new notebook is
measured without editing this script), a fresh kernel runs the notebook's cells up to and including
the one that creates the panel, then calls ``panel.run()`` (the knobs' defaults) ``--runs`` times,
one cell per run. The kernel's resident memory (RSS, after ``gc.collect()``) is sampled after the
first run and after the last; the growth between the two is what repeated runs keep.

``--release`` chooses what happens after each run, besides the panel's own clean-up:
``none`` (nothing), ``trim`` (``keras.backend.clear_session()``, ``gc.collect()`` and glibc's
``malloc_trim(0)``, the cheapest workaround tried) or ``both`` (each notebook measured both ways,
each in its own fresh kernel). Usage::

    COURSE_MODE=fast python benchmarks/repeated_runs.py [--runs 20] [--release both] [notebooks ...]

Prints one line per notebook and measurement; ``--json FILE`` also writes the results.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

RELEASE_CODE = {
    "none": "",
    "trim": ("keras.backend.clear_session()\n"
             "gc.collect()\n"
             "if _libc is not None:\n"
             "    _libc.malloc_trim(0)\n"),
}

SET_UP = """\
import ctypes, gc, json, time
import keras, psutil
try:
    _libc = ctypes.CDLL("libc.so.6")  # glibc: malloc_trim gives freed heap pages back to the system
except OSError:
    _libc = None
_rss, _errors, _seconds = [], [], []
"""

ONE_RUN = """\
_start = time.perf_counter()
_history = {panel}.run()
_seconds.append(time.perf_counter() - _start)
_errors.append({panel}.error)
{release}gc.collect()
_rss.append(psutil.Process().memory_info().rss)
"""

RESULT = """\
print("REPEATED-RUNS " + json.dumps({"rss": _rss, "errors": _errors, "seconds": _seconds,
                                     "epochs": len(_history.history["loss"]) if _history else None}))
"""


def is_panel_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "KnobPanel"


def panels_of(path: Path) -> list[tuple[int, str, ast.Call]]:
    """Each ``name = KnobPanel(...)`` of a notebook: (cell index, the name, the call's syntax tree)."""
    found = []
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or "KnobPanel" not in cell.source:
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assign) and is_panel_call(node.value) and isinstance(node.targets[0], ast.Name):
                found.append((index, node.targets[0].id, node.value))
    return found


def notebooks_with_panels() -> list[Path]:
    return [path for path in sorted(NOTEBOOKS.glob("*.ipynb")) if panels_of(path)]


def measure(path: Path, runs: int, release: str, timeout: int = 1800) -> dict:
    """Runs a notebook up to its first panel, then the panel ``runs`` times; returns the samples."""
    index, name, _call = panels_of(path)[0]
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells[:index + 1] + [nbformat.v4.new_code_cell(SET_UP)]
    cells += [nbformat.v4.new_code_cell(ONE_RUN.format(panel=name, release=RELEASE_CODE[release]))
              for _ in range(runs)]
    cells.append(nbformat.v4.new_code_cell(RESULT))
    notebook.cells = cells
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        with mock.patch.dict(os.environ, COURSE_VERDICTS=str(Path(folder) / "claims.jsonl")):
            client.execute(stderr=subprocess.DEVNULL)
    for output in notebook.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith("REPEATED-RUNS "):
                result = json.loads(line.removeprefix("REPEATED-RUNS "))
                break
        else:
            continue
        break
    else:
        raise RuntimeError(f"{path.name}: no result printed")
    rss = [value / 2**20 for value in result["rss"]]
    return {"notebook": path.name, "release": release, "runs": runs, "panel_cell": index,
            "rss_after_first_mb": rss[0], "rss_after_last_mb": rss[-1], "growth_mb": rss[-1] - rss[0],
            "growth_per_run_mb": (rss[-1] - rss[0]) / max(runs - 1, 1), "peak_sampled_mb": max(rss),
            "failed_runs": sum(error is not None for error in result["errors"]),
            "first_error": next((error for error in result["errors"] if error), None),
            "median_run_seconds": sorted(result["seconds"])[len(result["seconds"]) // 2],
            "epochs_per_run": result["epochs"], "wall_seconds": time.perf_counter() - start}


def describe_machine() -> str:
    import keras
    import tensorflow

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{platform.machine()}, {os.cpu_count()} cores, load average {load}; Python {platform.python_version()}, "
            f"TensorFlow {tensorflow.__version__}, Keras {keras.__version__}; COURSE_MODE={os.environ.get('COURSE_MODE')}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook with a panel")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--release", choices=["none", "trim", "both"], default="both")
    parser.add_argument("--json", type=Path, help="also write the results here (one JSON object per line)")
    arguments = parser.parse_args()
    os.environ.setdefault("COURSE_MODE", "fast")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print(describe_machine(), flush=True)
    releases = ["none", "trim"] if arguments.release == "both" else [arguments.release]
    for path in arguments.notebooks or notebooks_with_panels():
        for release in releases:
            try:
                result = measure(path.resolve(), arguments.runs, release)
            except Exception as failure:  # noqa: BLE001 - reported; the next notebook still runs
                result = {"notebook": path.name, "release": release, "error": f"{type(failure).__name__}: "
                          f"{(str(failure).strip().splitlines() or [''])[-1][:200]}"}
                print(f"{path.name:42s} {release:5s} FAILED {result['error']}", flush=True)
            else:
                print(f"{path.name:42s} {release:5s} after run 1: {result['rss_after_first_mb']:6.0f} MB, "
                      f"after run {arguments.runs}: {result['rss_after_last_mb']:6.0f} MB, "
                      f"growth {result['growth_mb']:+6.1f} MB ({result['growth_per_run_mb']:+.2f} MB/run), "
                      f"failed runs {result['failed_runs']}, median run {result['median_run_seconds']:.1f} s, "
                      f"wall {result['wall_seconds']:.0f} s", flush=True)
            result["load_after"] = os.getloadavg()[0]
            if arguments.json:
                with arguments.json.open("a", encoding="utf-8") as stream:
                    stream.write(json.dumps(result) + "\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
