"""Command line of the course helpers.

``python -m course_utils doctor`` checks a set-up; ``python -m course_utils run`` executes the
notebooks headless and reports each one's wall time, peak kernel memory and slowest cells (with
``--report FOLDER``, every claim the notebooks checked too); ``python -m course_utils diagnose PATH``
reads a training history (a ``CSVLogger`` file, a JSON dump of ``History.history`` or a TensorBoard
log directory) and says what the loss doctor finds in it: exit status 0 when it finds no problem,
1 when it does, 2 when it cannot read the input.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before anything imports TensorFlow

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from unittest import mock  # noqa: E402

from . import config, doctor  # noqa: E402

DEFAULT_CLASSES = 10  # diagnose's K when --classes is not given


def run_doctor(arguments: argparse.Namespace) -> int:
    """Prints one line per check and a summary; returns 1 if any check failed, else 0."""
    checks = doctor.run_checks(smoke_training=not arguments.no_training,
                               on_check=lambda check: print(doctor.format_check(check), flush=True))
    print(doctor.summarize(checks))
    return 1 if any(check.status == doctor.FAIL for check in checks) else 0


def run_notebooks(arguments: argparse.Namespace) -> int:
    """Runs the notebooks in order; returns 1 if any failed, else 0."""
    from .runner import run_course

    notebooks = arguments.notebooks or sorted((config.PACKAGE_DIR.parent / "notebooks").glob("*.ipynb"))
    if not notebooks:
        print("No notebooks found: name them, or run from a clone of the course.")
        return 1
    mode = arguments.mode or config.course_mode()
    seeds = {"COURSE_SEEDS": arguments.seeds} if arguments.seeds else {}
    with mock.patch.dict(os.environ, seeds):  # the kernels and the report read it; this process gets its own back
        runs = run_course(notebooks, mode=arguments.mode,
                          save_to=config.PACKAGE_DIR.parent / "artifacts" / "executed" / mode)
        if arguments.report:
            from .report import write_report

            name = f"{mode}-seeds-{arguments.seeds.replace(',', '-')}" if arguments.seeds else mode
            print(f"report: {write_report(runs, mode, arguments.report, name=name)}")
    return 1 if any(run.error for run in runs) else 0


def run_diagnose(arguments: argparse.Namespace) -> int:
    """Prints the loss doctor's findings for a history file; 0 no problem, 1 a problem, 2 unreadable."""
    from . import history_files, loss_doctor

    try:
        history = history_files.read_history(arguments.path)
        kind = history_files.detect_format(arguments.path)
    except history_files.HistoryFileError as error:
        print(f"Cannot read a training history: {error}.", file=sys.stderr)
        return 2
    loss = history["loss"]
    finite = all(map(math.isfinite, loss))
    if len(loss) < loss_doctor.MIN_EPOCHS and finite:
        print(f"Too few epochs to judge: {arguments.path} holds {len(loss)} epoch(s) of loss; the doctor "
              f"needs at least {loss_doctor.MIN_EPOCHS}.", file=sys.stderr)
        return 2
    classes = arguments.classes
    print(f"{arguments.path}: {kind}, {len(loss)} epochs, metrics {', '.join(sorted(history))}.")
    print(f"Chance for {classes} classes: ln({classes}) = {math.log(classes):.3f}"
          + ("" if arguments.classes_given else " (assumed; give --classes K for K classes)") + ".")
    findings = loss_doctor.diagnose(history, classes)
    for finding in findings:
        print(f"- {finding}")
    return 1 if any(finding.symptom in loss_doctor.PROBLEMS for finding in findings) else 0


def _seeds(text: str) -> str:
    try:
        return ",".join(map(str, config.parse_seeds(text)))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _classes(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"K must be a whole number, got {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"K must be at least 2, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(prog="python -m course_utils",
                                     description="Command-line tools of the CNN Training Clinic.")
    subcommands = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    doctor_parser = subcommands.add_parser(
        "doctor", help="check that this machine is ready for the workshop",
        description="Checks Python, TensorFlow/Keras, Jupyter packages, memory and data, then "
                    "trains a small CNN for one epoch. Exits 1 if any check fails.")
    doctor_parser.add_argument("--no-training", action="store_true",
                               help="skip the one-epoch smoke training")
    doctor_parser.set_defaults(run=run_doctor)
    run_parser = subcommands.add_parser(
        "run", help="execute the notebooks headless, with wall time and peak kernel memory",
        description="Executes each notebook in a fresh kernel, in order, and prints its wall time "
                    "and its kernel's peak memory. Exits 1 if any notebook fails.")
    run_parser.add_argument("notebooks", nargs="*", type=Path,
                            help="notebooks to run (default: every notebook of the course)")
    run_parser.add_argument("--mode", choices=["fast", "default"],
                            help="the course mode for the kernels (default: COURSE_MODE as set)")
    run_parser.add_argument("--report", type=Path, metavar="FOLDER",
                            help="also write <FOLDER>/<mode>.md and .json: times, slowest cells, every claim")
    run_parser.add_argument("--seeds", type=_seeds, metavar="0,1,2",
                            help="the random seeds each claim is checked over (default 0,1); the report is then "
                                 "<mode>-seeds-0-1-2.md")
    run_parser.set_defaults(run=run_notebooks)
    diagnose_parser = subcommands.add_parser(
        "diagnose", help="say what the loss doctor finds in a training history file",
        description="Reads a training history from a Keras CSVLogger file, a JSON dump of History.history, "
                    "or a TensorBoard log directory written by Keras's TensorBoard callback, and prints the "
                    "loss doctor's findings with their evidence and advice. Exits 0 when it finds no problem, "
                    "1 when it finds one, 2 when it cannot read the input.")
    diagnose_parser.add_argument("path", type=Path, help="a CSVLogger file, a JSON file or a TensorBoard log directory")
    diagnose_parser.add_argument("--classes", type=_classes, metavar="K",
                                 help="the number of classes; chance is ln(K) (default: 10)")
    diagnose_parser.set_defaults(run=run_diagnose)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the subcommand named in ``argv``; with none, prints help and returns 2."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "run"):
        parser.print_help()
        return 2
    if arguments.run is run_diagnose:
        arguments.classes_given = arguments.classes is not None
        arguments.classes = arguments.classes or DEFAULT_CLASSES
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
