"""Helpers for the CNN Training Clinic notebooks: data, plots, claims, knob panels, checks.

Import it as ``import course_utils as cu``. The lessons' own code (models, ``compile``,
``fit``) stays in the notebooks; this package holds the plumbing around it.

What ``cu`` exposes: what every notebook uses — the course's settings (mode, seeds, where it
runs), loading data, the plots, the progress bar of a long cell, and the ``claims`` record. A
tool that one lesson teaches is imported from its own module, by name, where the lesson introduces it
(``from course_utils import loss_doctor``, ``from course_utils.widgets import KnobPanel``), and an
exercise's self-checks from ``course_utils.exercises``.
"""

import importlib
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # imported before TensorFlow (the command line): no start-up log lines

from .config import by_mode, course_mode, course_seeds, is_fast, is_online, limit_threads, set_seed, where_it_runs

__version__ = "0.1.0"

limit_threads()  # before TensorFlow's first operation: a container's CPUs, not the host's

# The other names ``cu`` exposes, each with its module, imported the first time the name is used
# (PEP 562): a Python that needs only the settings, the claims or the data cache (the course runner,
# `python -m course_utils run`; the site builder) starts without TensorFlow.
_ON_FIRST_USE = {"checks": "checks", "claims": "claims", "Dataset": "data", "load_dataset": "data",
                 "random_images": "data", "compare_runs": "plots", "image_grid": "plots", "plot_history": "plots",
                 "Progress": "progress"}


def __getattr__(name: str):
    if name not in _ON_FIRST_USE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_ON_FIRST_USE[name]}", __name__)
    value = module if _ON_FIRST_USE[name] == name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_ON_FIRST_USE))


__all__ = ["by_mode", "course_mode", "course_seeds", "is_fast", "is_online", "limit_threads", "set_seed",
           "where_it_runs", *_ON_FIRST_USE]
