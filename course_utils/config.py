"""Course mode, seeds, paths, where the course is running, and how many CPUs it may use.

The mode comes from the ``COURSE_MODE`` environment variable: ``fast`` (tests and CI:
offline data, few epochs) or anything else for the learner's default mode.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from pathlib import Path

from . import network

network.refuse_if_switched_off()  # COURSE_NETWORK=off: no connection leaves this machine (the tests)

PACKAGE_DIR = Path(__file__).resolve().parent
PROBE_HOST = "storage.googleapis.com"  # where Keras downloads Fashion-MNIST from
THREAD_VARIABLES = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")


def course_mode() -> str:
    """Returns ``"fast"`` or ``"default"``, read from ``COURSE_MODE`` on each call."""
    return "fast" if os.environ.get("COURSE_MODE", "").strip().lower() == "fast" else "default"


def is_fast() -> bool:
    """True in fast mode (tests, CI)."""
    return course_mode() == "fast"


def by_mode(*, fast, default):
    """Picks a value for the current mode, e.g. ``EPOCHS = by_mode(fast=2, default=20)``."""
    return fast if is_fast() else default


DEFAULT_SEEDS = (0, 1)


def course_seeds() -> tuple[int, ...]:
    """The random seeds each claim is checked over: ``(0, 1)``, or those listed in ``COURSE_SEEDS``
    (``COURSE_SEEDS=0,1,2`` checks every claim over a third seed too)."""
    text = os.environ.get("COURSE_SEEDS", "").strip()
    return parse_seeds(text) if text else DEFAULT_SEEDS


def parse_seeds(text: str) -> tuple[int, ...]:
    """``"0,1,2"`` → ``(0, 1, 2)``; a clear ``ValueError`` for anything else."""
    try:
        seeds = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"seeds are whole numbers separated by commas, like 0,1,2; got {text!r}") from None
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"each seed is listed once; got {text!r}")
    return seeds


def set_seed(seed: int = 0) -> None:
    """Seeds Python's ``random``, NumPy and TensorFlow with one number.

    Runs with the same seed start from the same weights and see the same batches,
    so two runs that differ in one knob differ because of that knob. Multi-threaded
    CPU kernels can still differ in the last digits, which is why the course checks
    its claims over several seeds rather than trusting one.
    """
    import keras  # imported here so that importing the config stays light

    keras.utils.set_random_seed(seed)  # seeds random, numpy.random and TensorFlow together


def where_it_runs() -> str:
    """Returns ``"colab"``, ``"binder"`` or ``"local"``."""
    if "google.colab" in sys.modules:
        return "colab"
    if any(name in os.environ for name in ("BINDER_LAUNCH_HOST", "BINDER_REPO_URL", "BINDER_REQUEST")):
        return "binder"
    return "local"


def data_dir() -> Path:
    """The folder for downloaded data sets.

    ``COURSE_DATA_DIR`` if set; else the repository's ``data/`` folder when the course
    runs from a clone; else a cache folder in the user's home.
    """
    if os.environ.get("COURSE_DATA_DIR"):
        return Path(os.environ["COURSE_DATA_DIR"])
    repo_data = PACKAGE_DIR.parent / "data"
    if (PACKAGE_DIR.parent / "pyproject.toml").exists():
        return repo_data
    return Path.home() / ".cache" / "cnn-training-clinic"


def _can_connect(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def is_online(host: str = PROBE_HOST, port: int = 443, timeout: float = 2.0) -> bool:
    """True if ``host`` answers on ``port`` within ``timeout`` seconds; never raises.

    ``COURSE_OFFLINE=1`` forces ``False``; so does ``COURSE_NETWORK=off``, whose refusal the probe
    meets at once (``course_utils.network``). The probe runs in a daemon thread so that a
    name lookup that hangs cannot hold the caller past ``timeout``.
    """
    if os.environ.get("COURSE_OFFLINE", "").strip() not in ("", "0"):
        return False
    answer: list[bool] = []
    probe = threading.Thread(
        target=lambda: answer.append(_can_connect(host, port, timeout)), daemon=True
    )
    probe.start()
    probe.join(timeout)
    return bool(answer and answer[0])


def cpu_limit() -> int:
    """The CPUs this process may use: loky's ``cpu_count()``, shipped in joblib. It takes the
    fewest of the host's cores, the process's CPU affinity, the container's cgroup v2 (``cpu.max``)
    or v1 (``cpu.cfs_quota_us``) quota rounded up, and ``LOKY_MAX_CPU_COUNT`` when set.
    ``os.cpu_count()`` counts the host's cores, which a container (Binder) may not use."""
    from joblib.externals.loky import cpu_count  # already imported by scikit-learn: no extra cost

    return cpu_count()


def limit_threads() -> int | None:
    """Sizes TensorFlow's thread pools to ``cpu_limit()`` when that is below the host's core
    count; returns the limit set, or ``None`` when there is none to set.

    TensorFlow sizes its pools from the host's cores, so a 1-CPU container on a 64-core
    host would run 64 threads on 1 CPU. It reads ``TF_NUM_INTRAOP_THREADS`` and
    ``TF_NUM_INTEROP_THREADS`` before its first operation: importing ``course_utils`` calls
    this early enough. Values a learner has set already are kept.
    """
    limit = cpu_limit()
    if limit >= (os.cpu_count() or 1):
        return None
    for variable in THREAD_VARIABLES:
        os.environ.setdefault(variable, str(limit))
    return limit
