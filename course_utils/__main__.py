"""Command line of the course helpers.

``python -m course_utils doctor`` checks a set-up; ``python -m course_utils run`` executes the
notebooks headless and reports each one's wall time, peak kernel memory and slowest cells, and with
``--report FOLDER`` writes every claim the notebooks checked too.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before anything imports TensorFlow

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from . import config, doctor  # noqa: E402


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
    runs = run_course(notebooks, mode=arguments.mode, save_to=config.PACKAGE_DIR.parent / "artifacts" / "executed" / mode)
    if arguments.report:
        from .report import write_report

        print(f"report: {write_report(runs, mode, arguments.report)}")
    return 1 if any(run.error for run in runs) else 0


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
    run_parser.set_defaults(run=run_notebooks)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the subcommand named in ``argv``; with none, prints help and returns 2."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "run"):
        parser.print_help()
        return 2
    return arguments.run(arguments)


if __name__ == "__main__":
    sys.exit(main())
