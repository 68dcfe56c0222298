"""Workshop set-up check behind ``python -m course_utils doctor``; it downloads nothing.

Each check gives one :class:`Check`: PASS, WARN or FAIL. A check that raises gives a FAIL
with the error, so one broken check never hides the others. The supported versions are the
ranges pyproject.toml declares, read by ``supported_ranges()``, never written here.
"""

from __future__ import annotations

import functools
import importlib.metadata
import math
import sys
import time
from dataclasses import dataclass
from typing import Callable

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from . import config, data

DISTRIBUTION = "cnn-training-clinic"

PASS, WARN, FAIL = "PASS", "WARN", "FAIL"
MIN_FREE_GB = 1.5  # a kernel with TensorFlow uses about 0.8 GB; the rest is headroom


@dataclass
class Check:
    """The outcome of one check: ``status`` is PASS, WARN or FAIL."""

    status: str
    name: str
    detail: str


def _check(name: str):
    """Decorates a check returning ``(status, detail)`` to return a :class:`Check` (FAIL if it raises)."""
    def decorate(function: Callable[[], tuple[str, str]]) -> Callable[[], Check]:
        @functools.wraps(function)
        def guarded() -> Check:
            try:
                status, detail = function()
            except Exception as error:  # noqa: BLE001 - every failure becomes a FAIL line
                return Check(FAIL, name, f"{type(error).__name__}: {error}")
            return Check(status, name, detail)
        return guarded
    return decorate


def _installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=None)
def supported_ranges() -> dict[str, SpecifierSet]:
    """The versions the course supports: ``"python"`` and each dependency's name (e.g.
    ``"ipywidgets"``) → its range, as pyproject.toml declares them. Read from pyproject.toml when
    the course runs from its folder, else from the installed course's metadata (pip copies them
    there); a ``PackageNotFoundError`` when neither is there."""
    requires_python, requirements = _declared()
    ranges = {"python": SpecifierSet(requires_python)}
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            ranges.setdefault(canonicalize_name(requirement.name), requirement.specifier)
    return ranges


def _declared() -> tuple[str, list[str]]:
    """``requires-python`` and the dependencies, from pyproject.toml or the installed metadata."""
    pyproject = config.PACKAGE_DIR.parent / "pyproject.toml"
    try:
        import tomllib
    except ImportError:  # Python 3.10: tomli, a dependency there
        try:
            import tomli as tomllib
        except ImportError:
            tomllib = None
    if tomllib is not None and pyproject.exists():
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        return project["requires-python"], project["dependencies"]
    metadata = importlib.metadata.metadata(DISTRIBUTION)
    return metadata["Requires-Python"], importlib.metadata.requires(DISTRIBUTION) or []


def _pip_install(name: str) -> str:
    return f"pip install '{name}{supported_ranges()[name]}'"


@_check("Python")
def check_python():
    """A Python in pyproject's ``requires-python`` passes; others warn."""
    version = ".".join(str(part) for part in sys.version_info[:3])
    supported = supported_ranges()["python"]
    if supported.contains(version, prereleases=True):
        return PASS, version
    return WARN, f"{version}: the course supports Python {supported}"


@_check("TensorFlow")
def check_tensorflow():
    """TensorFlow must import and come with a Keras in the supported range (Keras 3)."""
    try:
        import keras
        import tensorflow as tf
    except ImportError as error:
        return FAIL, f"not importable ({error}): {_pip_install('tensorflow')}"
    versions = f"{tf.__version__} (Keras {keras.__version__})"
    if not supported_ranges()["keras"].contains(keras.__version__, prereleases=True):
        return FAIL, f"{versions}: the course needs Keras {supported_ranges()['keras']} ({_pip_install('keras')})"
    return PASS, versions


@_check("JupyterLab")
def check_jupyterlab():
    """JupyterLab must be installed, except on Colab, which has its own front end."""
    version = _installed_version("jupyterlab")
    if version:
        return PASS, version
    if config.where_it_runs() == "colab":
        return WARN, "not installed; not needed on Colab, which has its own front end"
    return FAIL, f"not installed: {_pip_install('jupyterlab')}"


@_check("ipywidgets")
def check_ipywidgets():
    """ipywidgets must be installed; a version outside the supported range warns."""
    version = _installed_version("ipywidgets")
    if not version:
        return FAIL, f"not installed (the knob panels need it): {_pip_install('ipywidgets')}"
    supported = supported_ranges()["ipywidgets"]
    if not supported.contains(version, prereleases=True):
        return WARN, f"{version}: the course is tested with ipywidgets {supported}; knob panels may misbehave"
    return PASS, version


@_check("matplotlib")
def check_matplotlib():
    """matplotlib must be installed."""
    version = _installed_version("matplotlib")
    if not version:
        return FAIL, f"not installed (every plot needs it): {_pip_install('matplotlib')}"
    return PASS, version


@_check("Memory")
def check_memory():
    """At least ``MIN_FREE_GB`` of available memory passes; less warns."""
    import psutil

    free_gb = psutil.virtual_memory().available / 1e9
    if free_gb >= MIN_FREE_GB:
        return PASS, f"{free_gb:.1f} GB free"
    return WARN, (f"{free_gb:.1f} GB free; the course wants about {MIN_FREE_GB} GB free (a kernel "
                  "with TensorFlow uses about 0.8 GB): close other programs and notebooks")


@_check("Offline data")
def check_offline_datasets():
    """The data sets that ship with the course, ``digits`` and ``random``, must load."""
    digits = data.load_dataset("digits")
    data.load_dataset("random")
    return PASS, f"digits and random load ({len(digits.x_train)} digits training images)"


@_check("Download data")
def check_downloaded_datasets():
    """The downloaded data sets pass if cached, or online in the default mode; otherwise warns."""
    missing = [name for name in data.DOWNLOADED if not data.is_cached(name)]
    cache_dir = data.cache_path(data.DOWNLOADED[0]).parent
    if not missing:
        return PASS, f"{', '.join(data.DOWNLOADED)} cached under {cache_dir}"
    if config.is_fast():
        reason = "fast mode uses offline data"
    elif config.is_online():
        return PASS, f"{', '.join(missing)} not cached yet; online, so downloaded on first use"
    else:
        reason = "no network"
    loads = "; ".join(f"cu.load_dataset('{name}')" for name in missing)
    return WARN, (f"{', '.join(missing)} not cached and {reason}, so the notebooks will use the "
                  f"digits instead. To cache them in {cache_dir}, run once online: "
                  f"python -c \"import course_utils as cu; {loads}\"")


@_check("Smoke training")
def check_smoke_training():
    """A small CNN must train for one epoch on the digits to a finite loss."""
    import keras

    from . import models

    config.set_seed(0)
    digits = data.load_dataset("digits")
    model = models.build_cnn(input_shape=digits.input_shape, num_classes=digits.num_classes)
    model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy")
    start = time.perf_counter()
    loss = model.fit(digits.x_train, digits.y_train, epochs=1, verbose=0).history["loss"][-1]
    seconds = time.perf_counter() - start
    if math.isfinite(loss):
        return PASS, f"one epoch on the digits: loss {loss:.3f} in {seconds:.1f} s"
    return FAIL, f"one epoch on the digits gave loss {loss}: the TensorFlow install looks broken"


def run_checks(smoke_training: bool = True,
               on_check: Callable[[Check], None] | None = None) -> list[Check]:
    """Runs every check in order.

    Args:
        smoke_training: also train a small CNN for one epoch (a few seconds).
        on_check: called with each check as soon as it is done, e.g. to print progress.
    """
    check_functions = [check_python, check_tensorflow, check_jupyterlab, check_ipywidgets,
                       check_matplotlib, check_memory, check_offline_datasets,
                       check_downloaded_datasets] + ([check_smoke_training] if smoke_training else [])
    checks = []
    for check_function in check_functions:
        checks.append(check_function())
        if on_check:
            on_check(checks[-1])
    return checks


def format_check(check: Check) -> str:
    """One line, e.g. ``PASS  TensorFlow     2.21.0 (Keras 3.15.1)``."""
    return f"{check.status:<6}{check.name:<14} {check.detail}"


def summarize(checks: list[Check]) -> str:
    """The closing line: how many checks passed, warned and failed, and what that means."""
    counts = {status: sum(check.status == status for check in checks) for status in (PASS, WARN, FAIL)}
    verdict = ("Not ready: fix the FAIL lines above." if counts[FAIL]
               else "Ready; the WARN lines say what may not work." if counts[WARN]
               else "Ready for the workshop.")
    return "Summary: " + ", ".join(f"{n} {status}" for status, n in counts.items()) + f". {verdict}"
