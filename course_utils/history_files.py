"""Training histories from files, for the loss doctor outside the course.

``read_history(path)`` returns the per-epoch values as a dict of lists, the form
``loss_doctor.diagnose`` reads, from any of the three things a Keras project usually keeps:

- a ``CSVLogger`` file: one row per epoch, the first row naming the columns;
- a JSON dump of ``History.history`` (``json.dump(history.history, file)``), a dict of lists;
- a log directory written by Keras's ``TensorBoard`` callback: event files in ``train/`` and
  ``validation/`` with one ``epoch_<metric>`` scalar per epoch. They are read with TensorFlow's
  own ``tf.compat.v1.train.summary_iterator``, so the ``tensorboard`` package is not needed
  (TensorFlow 2.21 no longer installs it; the callback that writes the logs does need it).

Anything else raises :class:`HistoryFileError` with a message that says what was wrong.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

CSV, JSON, TENSORBOARD = "CSVLogger file", "JSON dump of History.history", "TensorBoard log directory"
EVENT_FILE_MARK = "tfevents"  # Keras's event files are named events.out.tfevents.<time>.<host>...
MISSING = ("", "NA", "na")  # CSVLogger writes NA in validation columns when there was no validation


class HistoryFileError(ValueError):
    """The file or directory cannot be read as a training history; the message says why."""


def read_history(path) -> dict[str, list[float]]:
    """Reads a training history from a CSVLogger file, a JSON dump or a TensorBoard log directory.

    Args:
        path: the file or directory.

    Returns:
        Metric name → one value per epoch, e.g. ``{"loss": [...], "val_loss": [...]}``; Keras's
        names (``val_`` before a validation metric), whatever the source.

    Raises:
        HistoryFileError: the path does not exist, its format is unknown, or it holds no
            per-epoch ``loss``.
    """
    path = Path(path)
    if not path.exists():
        raise HistoryFileError(f"{path} does not exist")
    kind = detect_format(path)
    reader = {CSV: _read_csv, JSON: _read_json, TENSORBOARD: _read_tensorboard}[kind]
    history = reader(path)
    if "loss" not in history:
        raise HistoryFileError(f"{path} ({kind}) has no loss column: it holds {', '.join(sorted(history)) or 'nothing'}; "
                               "the doctor reads the training loss")
    if not history["loss"]:
        raise HistoryFileError(f"{path} ({kind}) holds no epoch: its loss is empty")
    return history


def detect_format(path) -> str:
    """``CSV``, ``JSON`` or ``TENSORBOARD``, from the path's contents (not its name)."""
    path = Path(path)
    if path.is_dir():
        if _event_files(path):
            return TENSORBOARD
        raise HistoryFileError(f"{path} is a directory without TensorBoard event files "
                               f"(files named *{EVENT_FILE_MARK}*); give a CSVLogger file, a JSON file or a log directory")
    if EVENT_FILE_MARK in path.name:
        return TENSORBOARD
    text = _text(path)
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return JSON
    first = stripped.splitlines()[0] if stripped else ""
    if "epoch" in [cell.strip().strip('"') for cell in _split_header(first)]:
        return CSV
    raise HistoryFileError(f"unknown format: {path} is neither a CSVLogger file (a first row naming 'epoch' and "
                           "the metrics), a JSON dump of History.history (a dict of lists) nor a TensorBoard log directory")


# --- CSVLogger ---------------------------------------------------------------------------

def _split_header(line: str) -> list[str]:
    for separator in (",", ";", "\t"):
        if separator in line:
            return line.split(separator)
    return [line]


def _read_csv(path: Path) -> dict[str, list[float]]:
    text = _text(path).lstrip()
    header = text.splitlines()[0]
    separator = next((candidate for candidate in (",", ";", "\t") if candidate in header), ",")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=separator))
    history: dict[str, list[float]] = {}
    for name in [name for name in rows[0] if name and name.strip() != "epoch"] if rows else []:
        cells = [row.get(name) for row in rows]
        if all(cell is None or cell.strip() in MISSING for cell in cells):
            continue  # e.g. the val_ columns CSVLogger adds, all NA, when fit had no validation data
        try:
            history[name.strip()] = [_number(cell) for cell in cells]
        except ValueError as error:
            raise HistoryFileError(f"{path}: column {name!r} is not a number in every row ({error})") from None
    return history


def _number(cell) -> float:
    if cell is None or cell.strip() in MISSING:
        raise ValueError("a row is missing its value")
    return float(cell)  # "nan" and "inf", as CSVLogger writes them, are read as such


# --- JSON ----------------------------------------------------------------------------------

def _read_json(path: Path) -> dict[str, list[float]]:
    try:
        values = json.loads(_text(path))
    except json.JSONDecodeError as error:
        raise HistoryFileError(f"{path} looks like JSON but is not valid JSON ({error})") from None
    if isinstance(values, dict) and isinstance(values.get("history"), dict):
        values = values["history"]  # {"history": {...}, "params": {...}}, as some projects save it
    if not isinstance(values, dict):
        raise HistoryFileError(f"{path}: expected a dict of lists such as {{\"loss\": [2.3, 2.1]}}, "
                               f"got a JSON {type(values).__name__}")
    history = {}
    for name, series in values.items():
        if not isinstance(series, list):
            continue  # not a per-epoch series (e.g. a note someone saved with it)
        try:
            history[name] = [math.nan if value is None else float(value) for value in series]
        except (TypeError, ValueError):
            raise HistoryFileError(f"{path}: {name!r} is not a list of numbers") from None
    return history


# --- TensorBoard -------------------------------------------------------------------------------

def _event_files(folder: Path) -> list[Path]:
    return sorted(file for file in folder.rglob(f"*{EVENT_FILE_MARK}*") if file.is_file())


def _read_tensorboard(path: Path) -> dict[str, list[float]]:
    """Reads the ``epoch_*`` scalars: those in ``validation/`` get Keras's ``val_`` prefix back."""
    import tensorflow as tf  # only here: reading CSV and JSON needs no TensorFlow

    files = [path] if path.is_file() else _event_files(path)
    by_step: dict[str, dict[int, float]] = {}
    for file in files:
        validation = "validation" in file.relative_to(path).parts[:-1] if path.is_dir() else False
        try:
            for event in tf.compat.v1.train.summary_iterator(str(file)):
                for value in event.summary.value:
                    if not value.tag.startswith("epoch_"):
                        continue  # per-batch and evaluation_*_vs_iterations scalars, images, histograms
                    name = value.tag[len("epoch_"):]
                    name = f"val_{name}" if validation else name
                    by_step.setdefault(name, {})[int(event.step)] = _scalar(value, tf)
        except Exception as error:  # noqa: BLE001 - a damaged event file: say which, and why
            raise HistoryFileError(f"{file} is not a readable TensorBoard event file "
                                   f"({type(error).__name__}: {error})") from None
    return {name: [steps[step] for step in sorted(steps)] for name, steps in by_step.items()}


def _scalar(value, tf) -> float:
    if value.HasField("simple_value"):  # TF1-style summaries
        return float(value.simple_value)
    return float(tf.make_ndarray(value.tensor))  # TF2 summaries store a scalar tensor


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise HistoryFileError(f"unknown format: {path} is not a text file (a CSVLogger file or JSON), "
                               "nor a TensorBoard log directory") from None
