"""Test-wide settings: fast mode, quiet TensorFlow, no display, stderr out of nbval's comparison."""

import os

os.environ.setdefault("COURSE_MODE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

try:
    from nbval.plugin import IPyNbCell
except ImportError:  # nbval is only needed for the notebook runs
    IPyNbCell = None


def _without_stderr(outputs):
    return [out for out in outputs if not (out.get("output_type") == "stream" and out.get("name") == "stderr")]


if IPyNbCell is not None:
    _compare_outputs = IPyNbCell.compare_outputs

    def compare_outputs_without_stderr(self, test, ref, skip_compare=None):
        """TensorFlow's log lines arrive on stderr; only stdout and results are compared."""
        return _compare_outputs(self, _without_stderr(test), _without_stderr(ref), skip_compare)

    IPyNbCell.compare_outputs = compare_outputs_without_stderr


def pytest_report_header(config):
    """The versions a run tested, so a log says which ipywidgets the panel tests met."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name):
        try:
            return f"{name} {version(name)}"
        except PackageNotFoundError:
            return f"{name} not installed"

    return "course: " + ", ".join(installed(name) for name in ("tensorflow", "keras", "ipywidgets", "jupyterlab"))
