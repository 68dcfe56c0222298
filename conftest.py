"""Test-wide settings and the single run of each notebook.

``make test`` executes each notebook once, under nbval. That one run gives four results: no cell
failed; the cells marked ``# NBVAL_CHECK_OUTPUT`` reproduced their stored output; the claims the
notebook checked, recorded in ``artifacts/verdicts/<notebook>.jsonl`` (through ``COURSE_VERDICTS``);
and the executed notebook, saved in ``artifacts/executed/<mode>/``. The claims and site tests read
these afterwards, so the notebooks come before every other test.
"""

import json
import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("COURSE_MODE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent
# No network for the whole suite (COURSE_NETWORK=on lets it through): this process refuses every
# connection that leaves the machine, and so does every Python it starts (notebook kernels, the
# command line), through the sitecustomize module in tests/no_network, first on their PYTHONPATH.
NO_NETWORK_DIR = ROOT / "tests" / "no_network"
os.environ.setdefault("COURSE_NETWORK", "off")
if os.environ["COURSE_NETWORK"].strip().lower() == "off":
    _paths = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    os.environ["PYTHONPATH"] = os.pathsep.join([str(NO_NETWORK_DIR)] + [p for p in _paths if p != str(NO_NETWORK_DIR)])
    import importlib.util  # the file alone: importing the package here would start TensorFlow's set-up

    _spec = importlib.util.spec_from_file_location("course_network_guard", ROOT / "course_utils" / "network.py")
    _spec.loader.exec_module(_guard := importlib.util.module_from_spec(_spec))
    _guard.refuse()
VERDICTS_DIR = ROOT / "artifacts" / "verdicts"
EXECUTED_DIR = ROOT / "artifacts" / "executed"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"  # JupyterLab's default for a kernel
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS")
LEARNERS_THREADS = {name: os.environ.get(name) for name in THREAD_VARIABLES}  # before any test ran
# pytest-timeout ends a notebook cell's test, kernel start included, that hangs past this: a minute
# more than nbval's own --nbval-cell-timeout (pyproject.toml), which covers only the cell's execution.
NOTEBOOK_CELL_TIMEOUT = 660
# `make test` is one pytest run on two workers (pytest-xdist, `--dist loadfile --no-loadscope-reorder`):
# a worker takes the next file in this order when it has almost finished its last one. The notebooks
# come first, the longest first; then the test files that take longest (measured with --durations),
# so that the two workers finish together; last, the tests that read what the notebooks' runs
# recorded, which wait for a notebook the other worker is still running (tests/claims.py). A file not
# named keeps its place by name: a stale list makes the run slower, not wrong.
LONGEST_FIRST = (
    "05_capacity_and_regularization.ipynb", "04_normalization_and_augmentation.ipynb", "01_stuck_at_ln10.ipynb",
    "02_weight_initialization.ipynb", "03_learning_rate_and_schedules.ipynb", "06_transfer_learning.ipynb",
    "07_clinic_capstone.ipynb", "00_start_here.ipynb",
    "test_browser.py", "test_patients.py", "test_repeated_runs.py", "test_runner.py", "test_data.py",
    "test_make_lab.py", "test_diagnose_command.py", "test_transfer.py", "test_widgets.py", "test_doctor.py",
    "test_determinism.py",
)
READ_THE_NOTEBOOK_RUNS = ("test_claims.py", "test_claims_05.py", "test_site.py")


def is_notebook_cell(item) -> bool:
    return item.path.suffix == ".ipynb"


def pytest_configure(config):
    # Marks the verdict records of this test run; pytest-xdist's workers inherit it.
    os.environ.setdefault("COURSE_TEST_SESSION", uuid.uuid4().hex)
    for marker, meaning in [("unit", "fast tests of course_utils and the project's files"),
                            ("notebook", "runs notebooks, or reads what their run recorded"),
                            ("browser", "drives JupyterLab in Chromium")]:
        config.addinivalue_line("markers", f"{marker}: {meaning}")


def pytest_collectstart(collector):
    """nbval's documented hook: TensorFlow's log lines on stderr are never compared."""
    if collector.path is not None and collector.path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)


@pytest.hookimpl(tryfirst=True)  # the marks must be there before `-m` deselects
def pytest_collection_modifyitems(items):
    """Each test marked by kind; the files in the order of ``LONGEST_FIRST``, notebooks first."""
    for item in items:
        if is_notebook_cell(item):
            item.add_marker("notebook")
            item.add_marker(pytest.mark.timeout(NOTEBOOK_CELL_TIMEOUT))
        elif not any(item.get_closest_marker(name) for name in ("notebook", "browser")):
            item.add_marker("unit")
    items.sort(key=run_order)  # stable: a file's tests and cells keep their order


def run_order(item) -> tuple[int, int]:
    name = item.path.name
    group = 0 if is_notebook_cell(item) else 2 if name in READ_THE_NOTEBOOK_RUNS else 1
    return group, LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def write_status(stem: str, status: dict) -> None:
    """A notebook run's status for the tests that read its records, replaced whole (tests on the other
    worker may be reading it)."""
    path = VERDICTS_DIR / f"{stem}.status.json"
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps({"session": os.environ["COURSE_TEST_SESSION"], **status}), encoding="utf-8")
    os.replace(partial, path)


def changed_thread_settings() -> dict:
    """Thread variables that differ from the learner's: a test leaked them into os.environ."""
    current = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    return {name: value for name, value in current.items() if value != LEARNERS_THREADS[name]}


@pytest.fixture(autouse=True)
def no_leaked_thread_settings():
    """Fails a test that leaves TensorFlow's thread settings changed for the kernels started after it."""
    yield
    leaked = changed_thread_settings()
    assert not leaked, f"this test changed the thread settings of later kernels: {leaked}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before a notebook's kernel starts (at its first cell): point its claim records at a fresh file
    and its plots inline."""
    if not is_notebook_cell(item) or getattr(item.parent, "_course_started", False):
        return
    item.parent._course_started = True
    item.parent._course_backend = os.environ.get("MPLBACKEND")
    leaked = changed_thread_settings()
    assert not leaked, f"a test changed the kernel's thread settings: {leaked}"
    VERDICTS_DIR.mkdir(parents=True, exist_ok=True)
    record = VERDICTS_DIR / f"{item.path.stem}.jsonl"
    record.unlink(missing_ok=True)
    write_status(item.path.stem, {"running": True})
    os.environ["COURSE_VERDICTS"] = str(record)
    # The kernel draws its figures inline, as in JupyterLab, so the executed copy has its plots;
    # this process keeps Agg (no display).
    os.environ["MPLBACKEND"] = INLINE_BACKEND


_failed_cells: dict[str, list[str]] = {}  # notebook → the node ids of its cells that failed


def pytest_runtest_logreport(report):
    notebook = report.nodeid.split("::")[0]
    if notebook.endswith(".ipynb") and report.failed:
        _failed_cells.setdefault(Path(notebook).stem, []).append(report.nodeid)


def save_executed(item) -> None:
    """The notebook with the outputs nbval's run produced, as a learner's run would leave it."""
    import nbformat

    notebook = nbformat.read(item.path, as_version=4)
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, outputs in item.parent._course_outputs.items():
        cells[number].outputs, cells[number].execution_count = outputs, number + 1
    folder = EXECUTED_DIR / os.environ.get("COURSE_MODE", "default")
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / item.path.name)


def pytest_runtest_teardown(item, nextitem):
    """After each cell, keep its outputs; after a notebook's last cell, save the executed notebook and
    say whether its run was complete, for the claims and site tests."""
    if not is_notebook_cell(item):
        return
    item.parent.__dict__.setdefault("_course_outputs", {})[item.cell_num] = item.test_outputs or []
    if nextitem is not None and nextitem.parent is item.parent:
        return
    os.environ.pop("COURSE_VERDICTS", None)
    if item.parent._course_backend is None:
        os.environ.pop("MPLBACKEND", None)
    else:
        os.environ["MPLBACKEND"] = item.parent._course_backend
    save_executed(item)
    write_status(item.path.stem, {"running": False, "failed": _failed_cells.get(item.path.stem, [])})


def pytest_report_header(config):
    """The versions a run tested, so a log says which ipywidgets the panel tests met."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return f"{name} {version(name)}"
        except PackageNotFoundError:
            return f"{name} not installed"

    return "course: " + ", ".join(installed(name) for name in ("tensorflow", "keras", "ipywidgets", "jupyterlab"))
