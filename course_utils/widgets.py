"""Knob panels: sliders and menus that retrain a lesson's model and plot its loss live.

A panel calls the notebook's own ``train`` function with the knob values, so the code a
learner reads is the code that runs. An optional ``preview`` redraws a plot that needs no
training (a schedule, per-layer statistics) as soon as a knob moves. The Run button trains in a background thread, which
keeps the kernel free to handle Stop; ``panel.run(...)`` trains in the caller's thread.
A learner's mistake never raises: bad values and errors from ``train`` show in the
panel's status line, an error with its traceback folded under the message. Works with
ipywidgets 7.7 (Colab) and 8.
"""

from __future__ import annotations

import gc
import html
import math
import numbers
import reprlib
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import ipywidgets as widgets
import keras
import numpy
import psutil
from IPython.display import display
from matplotlib import pyplot
from matplotlib.figure import Figure

from course_utils import plots


# Binder gives a kernel and JupyterLab 2 GB together. TensorFlow keeps 5–28 MB of each run's trained
# model for the kernel's life (benchmarks/REPEATED_RUNS.md), so past this the panel says so.
MEMORY_NOTICE_MB = 1500


def kernel_mb() -> float:
    """This kernel's resident memory, in MB."""
    return psutil.Process().memory_info().rss / 2**20


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlong = 24


def _short(value) -> str:
    """A value as a message shows it: its repr, cut to a few dozen characters."""
    try:
        return _SHORT.repr(value)
    except Exception:  # noqa: BLE001 - a learner's object whose repr fails still gets a message
        return f"a {type(value).__name__}"


def _labelled(name: str) -> dict:
    return {"description": name, "style": {"description_width": "initial"},
            "layout": widgets.Layout(width="420px")}


@dataclass
class Knob:
    """One keyword argument of ``train``. Each kind has ``widget()``, a new widget showing
    the default, and ``validate(value)``, the cleaned value or a ``ValueError`` saying
    what the knob accepts; ``text_format`` is how the status line writes a value."""

    name: str
    text_format = ""

    def __post_init__(self):
        self.default = self.validate(self.default)

    def text(self, value) -> str:
        try:
            shown = format(value, self.text_format)
        except (TypeError, ValueError, OverflowError):  # an invalid value, as a message shows it
            return _short(value)
        return shown if len(shown) <= 24 else _short(value)  # a 400-digit int: cut short

    def label(self, value) -> str:
        """The knob's part of a run's label; a multi-word name shrinks to initials (lr=...)."""
        words = self.name.split("_")
        short = "".join(word[:1] for word in words) if len(words) > 1 else self.name
        return f"{short}={self.text(value)}"


@dataclass
class _NumberKnob(Knob):
    default: float
    low: float
    high: float
    kind = "a number"

    def __post_init__(self):
        if not (self._fits(self.low) and self._fits(self.high) and self.low < self.high):
            raise ValueError(f"{self.name} needs low < high, both {self.kind}; "
                             f"got {self.low!r} and {self.high!r}")
        super().__post_init__()

    def _fits(self, value) -> bool:
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            return False
        try:
            return math.isfinite(value)
        except OverflowError:  # an int too large for a float is still a finite number
            return True

    def validate(self, value) -> float:
        if not self._fits(value):
            raise ValueError(f"{self.name} must be {self.kind}, got {_short(value)}")
        if not self.low <= value <= self.high:
            low, high = self.text(self.low), self.text(self.high)
            raise ValueError(f"{self.name} must be between {low} and {high}, got {self.text(value)}")
        return float(value)


@dataclass
class LogSlider(_NumberKnob):
    """A positive number on a base-10 log scale, such as a learning rate."""

    kind = "a positive number"
    text_format = ".1e"

    def _fits(self, value) -> bool:
        return super()._fits(value) and value > 0

    def widget(self) -> widgets.FloatLogSlider:
        exponents = {"min": math.log10(self.low), "max": math.log10(self.high)}
        return widgets.FloatLogSlider(value=self.default, base=10, readout_format=".1e", **exponents,
                                      **_labelled(self.name))


@dataclass
class Slider(_NumberKnob):
    """A number on a linear scale; ``step`` defaults to 1/100 of the range."""

    step: float | None = None
    text_format = ".3g"

    def widget(self) -> widgets.FloatSlider:
        step = self.step or (self.high - self.low) / 100
        return widgets.FloatSlider(value=self.default, min=self.low, max=self.high, step=step,
                                   readout_format=".3g", **_labelled(self.name))


@dataclass
class IntSlider(_NumberKnob):
    """A whole number, such as a number of epochs."""

    kind = "a whole number"

    def _fits(self, value) -> bool:
        return super()._fits(value) and (isinstance(value, numbers.Integral) or float(value).is_integer())

    def validate(self, value) -> int:
        return int(super().validate(value))

    def widget(self) -> widgets.IntSlider:
        return widgets.IntSlider(value=self.default, min=self.low, max=self.high, **_labelled(self.name))


@dataclass
class Choice(Knob):
    """One of a list of options, such as an initializer's name; a run's label shows the option alone.

    Like every knob: the name, the default, then what it accepts (here the options)."""

    default: Any
    options: Sequence

    def widget(self) -> widgets.Dropdown:
        return widgets.Dropdown(options=self.options, value=self.default, **_labelled(self.name))

    def validate(self, value) -> Any:
        """The option equal to ``value`` (the option itself: 1.0 gives the option 1), never
        a bool for a number or a number for a bool (True == 1 in Python)."""
        for option in self.options:
            try:
                if isinstance(option, bool) == isinstance(value, bool) and bool(option == value):
                    return option
            except Exception:  # noqa: BLE001 - a value that cannot be compared is not an option
                continue
        options = ", ".join(map(repr, self.options))
        raise ValueError(f"{self.name} must be one of {options}; got {_short(value)}")

    def label(self, value) -> str:
        return str(value)


@dataclass
class Toggle(Knob):
    """On or off, such as batch normalization."""

    default: bool

    def widget(self) -> widgets.Checkbox:
        return widgets.Checkbox(value=self.default, indent=False, **_labelled(self.name))

    def validate(self, value) -> bool:
        if not isinstance(value, (bool, numpy.bool_)):  # NumPy's bools too
            raise ValueError(f"{self.name} must be True or False, got {_short(value)}")
        return bool(value)


def _losses(values: dict) -> str:
    return " · ".join(f"{key} {values[key][-1]:.4g}" for key in ("loss", "val_loss") if values.get(key))


def _epochs(count: int) -> str:
    return f"{count} epoch" if count == 1 else f"{count} epochs"


class _LivePlot(keras.callbacks.Callback):
    """Shows the status at each epoch end and redraws the plot as often as ``DRAWING_SHARE`` of the
    training time allows (the first epoch and the last are always drawn)."""

    DRAWING_SHARE = 0.02  # a plot is a PNG rendered by matplotlib: ~0.1 s, a short epoch's worth

    def __init__(self, panel: KnobPanel, label: str):
        super().__init__()
        self.panel, self.label = panel, label
        self.values: dict[str, list[float]] = {}
        self.drawing_seconds, self.last_drawn, self.drawn_epochs = 0.0, 0.0, 0

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.values.setdefault(key, []).append(float(value))
        progress = f"epoch {epoch + 1}/{self.params['epochs']}"
        self.panel._show(f"Training {self.label}: {progress} · {_losses(self.values)}")
        since_last_drawn = time.perf_counter() - self.last_drawn
        if not self.drawn_epochs or self.drawing_seconds <= self.DRAWING_SHARE * since_last_drawn:
            self._draw()

    def on_train_end(self, logs=None):
        if self.values and self.drawn_epochs < len(self.values.get("loss", [])):
            self._draw()

    def _draw(self) -> None:
        start = time.perf_counter()
        self.panel._draw(self.values, self.label)
        self.last_drawn = time.perf_counter()
        self.drawing_seconds = self.last_drawn - start
        self.drawn_epochs = len(self.values.get("loss", []))


class _StopWhenAsked(keras.callbacks.Callback):
    """Ends training after the current batch once ``requested`` is set.

    It looks at the start of each batch: a callback with ``on_train_batch_end`` makes Keras 3 hand every
    batch's logs over synchronously instead of in the background, which slows ``fit`` down."""

    def __init__(self, requested: threading.Event):
        super().__init__()
        self.requested = requested
        self.stopped = False

    def on_train_batch_begin(self, batch, logs=None):
        if self.requested.is_set():
            self.model.stop_training = self.stopped = True


class KnobPanel:
    """Knob widgets, Run and Stop buttons, a status line and a live loss plot for one ``train``.

    Args:
        train: the notebook's training function. It gets one keyword argument per knob and
            ``callbacks``, which it must pass to ``model.fit``, whose ``History`` it returns.
        knobs: the knob specs, in display order.
        num_classes: draws the ln(K) line, the loss of a uniform guess, on the plot.
        title: a heading above the knobs.
        preview: called with the knob values (no ``callbacks``) whenever a knob moves; returns
            a matplotlib ``Figure`` (or axes of one, as the plots return), shown above the buttons.
            Sliders then update on release.
        report: called with each successful run's ``History``; returns text shown below the
            plot, such as the loss doctor's verdict.

    Attributes:
        widget: the whole panel (a ``VBox``); ``controls`` maps knob names to their widgets.
        status: the status line (``HTML``); ``plot``: the live plot (``Image``).
        preview_plot: the preview (``Image``), or ``None`` without ``preview``.
        report: the report (``HTML``), or ``None`` without ``report``.
        error: the message of the last failed run or preview; ``None`` after a successful one.
        error_traceback: its traceback, from the learner's code down (the panel's own calls left
            out), as the status line shows it folded under the message; ``None`` if there is none.
        last_history: the ``History`` of the last successful run.
    """

    def __init__(self, train: Callable, knobs: Sequence[Knob], *, num_classes: int | None = None,
                 title: str = "", preview: Callable | None = None, report: Callable | None = None):
        self.train, self.num_classes = train, num_classes
        self._preview, self._report = preview, report
        self.knobs = {knob.name: knob for knob in knobs}
        if len(self.knobs) != len(knobs):
            raise ValueError(f"knob names must differ, got {[knob.name for knob in knobs]}")
        self.controls = {name: knob.widget() for name, knob in self.knobs.items()}
        self.run_button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.status = widgets.HTML()
        self.plot = widgets.Image(format="png")
        self.preview_plot = widgets.Image(format="png") if preview else None
        self.report = widgets.HTML() if report else None
        heading = [widgets.HTML(f"<h3>{html.escape(title)}</h3>")] if title else []
        buttons = widgets.HBox([self.run_button, self.stop_button])
        optional = {"preview": [self.preview_plot] if preview else [], "report": [self.report] if report else []}
        self.widget = widgets.VBox([*heading, *self.controls.values(), *optional["preview"], buttons,
                                    self.status, self.plot, *optional["report"]])
        self.error: str | None = None
        self.error_traceback: str | None = None
        self.last_history = None
        self._busy = threading.Lock()
        self._state = threading.Lock()  # Stop and a run's end change the status one at a time
        self._stop_requested = threading.Event()
        self._thread: threading.Thread | None = None
        self._status_html = ""
        self._valid = {name: knob.default for name, knob in self.knobs.items()}  # each knob's last good value
        self._restoring = False
        for control in self.controls.values():
            if preview and hasattr(control, "continuous_update"):
                control.continuous_update = False  # one preview per move, not one per pixel dragged
            control.observe(self._knob_moved, names="value")
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self._knob_moved()

    def _ipython_display_(self):
        display(self.widget)

    def run(self, **overrides):
        """Trains in the caller's thread with the knobs set by ``overrides`` (Stop cannot
        interrupt it: the kernel is busy) and returns the ``History``; ``None`` when a value
        is invalid or ``train`` failed, as the status line says."""
        settings = self._claim(overrides)
        return None if settings is None else self._train(settings)

    def start(self, **overrides) -> threading.Thread | None:
        """What Run does: trains in a background thread and returns it; ``None`` (the status
        says why) when a value is invalid or a run is already going."""
        settings = self._claim(overrides)
        if settings is None:
            return None
        self._thread = threading.Thread(target=self._train, args=(settings,), name="KnobPanel run",
                                        daemon=True)
        self._thread.start()
        return self._thread

    def refresh_preview(self) -> bool:
        """Redraws the preview for the knobs' current values; ``False`` (the status says why)
        when a value is invalid or ``preview`` failed, or when the panel has no preview."""
        if self._preview is None:
            return False
        try:
            settings = {name: knob.validate(self.controls[name].value) for name, knob in self.knobs.items()}
            figure = _figure_of(self._preview(**settings))
            self.preview_plot.value = plots.figure_png(figure)
            pyplot.close(figure)  # a figure made with pyplot would otherwise also show below the cell
        except Exception as problem:  # a learner's bug: shown in the panel, the kernel lives on
            self._fail(f"preview: {type(problem).__name__}: {problem}", _learners_traceback(problem))
            return False
        self.error = self.error_traceback = None
        return True

    def stop(self) -> None:
        """Asks a running training to stop at the end of its current batch; with no run going,
        changes nothing and says so above the last outcome."""
        with self._state:
            if self._busy.locked():
                self._stop_requested.set()
                self._show("Stopping after the current batch …")
            else:
                self.status.value = f"<div>{html.escape('Nothing to stop: no run is going.')}</div>{self._status_html}"

    def wait(self, timeout: float | None = None) -> bool:
        """Waits for a run started by ``start`` to end; returns whether no run is going."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def _claim(self, overrides: dict) -> dict | None:
        """Takes the panel for one run and returns its settings, or ``None`` saying why not."""
        if not self._busy.acquire(blocking=False):
            self._show("A run is already going: press Stop, or wait for it to end.")
            return None
        try:
            unknown = [name for name in overrides if name not in self.knobs]
            if unknown:
                names = ", ".join(map(_short, unknown))
                raise ValueError(f"no knob named {names}; the knobs are {', '.join(self.knobs)}")
            settings = {name: knob.validate(overrides.get(name, self.controls[name].value))
                        for name, knob in self.knobs.items()}
        except Exception as problem:  # noqa: BLE001 - any nonsense value: one line in the panel
            self._busy.release()
            self._fail(str(problem) if isinstance(problem, ValueError) else f"{type(problem).__name__}: {problem}")
            return None
        self._valid.update(settings)
        for name in overrides:
            self.controls[name].value = settings[name]
        self._stop_requested.clear()
        self.run_button.disabled, self.stop_button.disabled = True, False
        return settings

    def _train(self, settings: dict):
        """Calls ``train`` on claimed settings and shows the outcome; releases the panel."""
        label = ", ".join(knob.label(settings[name]) for name, knob in self.knobs.items())
        live_plot, stopper = _LivePlot(self, label), _StopWhenAsked(self._stop_requested)
        history = None
        try:
            if self._stop_requested.is_set():  # Stop came before train was called
                self._show(f"{label}: stopped before the first epoch, nothing trained")
                return None
            self._show(f"Training {label} …")
            history = self.train(**settings, callbacks=[live_plot, stopper])
            if not hasattr(history, "history"):
                raise TypeError(f"train must return model.fit(...)'s History, got {type(history).__name__}")
            values = plots.history_dict(history)
            count = len(values.get("loss", []))
            if stopper.stopped:
                outcome = f"stopped after {count} of {_epochs(stopper.params['epochs'])}"
            else:
                outcome = f"done, {_epochs(count)}"
                if self._stop_requested.is_set():
                    outcome += " (Stop came after the last batch)"
            summary = [f"{label}: {outcome}", _losses(values)]
            if not count:
                summary.append("no epoch trained: nothing to plot")
            elif not live_plot.values:
                self._draw(values, label)
                summary.append("no live plot or Stop: train did not pass callbacks to model.fit")
            held = kernel_mb()
            if held > MEMORY_NOTICE_MB:
                summary.append(f"this kernel now holds {held:,.0f} MB: TensorFlow keeps part of every model "
                               "trained; Kernel → Restart Kernel frees it")
        except Exception as problem:  # a learner's bug: shown in the panel, the kernel lives on
            with self._state:
                self._fail(f"{type(problem).__name__}: {problem}", _learners_traceback(problem))
                self._release()
            return None
        else:
            self._show_report(history)
            with self._state:
                self.error, self.error_traceback, self.last_history = None, None, history
                self._show(" · ".join(part for part in summary if part))
                self._release()
            return history
        finally:
            if self._busy.locked():  # the stopped-before-training return: nothing else released it
                with self._state:
                    self._release()

    def _release(self) -> None:
        """Ends a run: Run enabled, Stop disabled, the panel free for the next run."""
        self.run_button.disabled, self.stop_button.disabled = False, True
        self._busy.release()

    def _draw(self, values: dict, label: str) -> None:
        figure = plots.new_figure(4.8, 3.4)  # the legend goes beside it
        plots.plot_history(values, label=label, num_classes=self.num_classes, ax=figure.subplots())
        self.plot.value = plots.figure_png(figure)

    def _show_report(self, history) -> None:
        if self._report is None:
            return
        try:
            text = str(self._report(history))
        except Exception as problem:  # the run itself succeeded: keep it, say what failed
            message = f"⚠ report: {type(problem).__name__}: {problem}"
            self.report.value = f"<div>{html.escape(message)}</div>{_folded(_learners_traceback(problem))}"
            return
        self.report.value = f'<div style="white-space: pre-wrap">{html.escape(text)}</div>'

    def _knob_moved(self, change=None) -> None:
        """A knob moved: a value the knob refuses (set through the widget's ``value``) is put
        back to the knob's last good one, the status line saying why; a good one is previewed."""
        if self._restoring:
            return
        if change is not None:
            name = next(name for name, control in self.controls.items() if control is change["owner"])
            try:
                self._valid[name] = self.knobs[name].validate(change["new"])
            except Exception as problem:  # noqa: BLE001 - a nonsense value: one line, the old value back
                kept = self._valid[name]
                self._restoring = True
                try:
                    change["owner"].value = kept
                finally:
                    self._restoring = False
                reason = str(problem) if isinstance(problem, ValueError) else f"{type(problem).__name__}: {problem}"
                self._fail(f"{reason}; kept {self.knobs[name].text(kept)}")
                return
        if self._preview is None or self.refresh_preview():
            self._show_settings()

    def _show_settings(self) -> None:
        shown = " · ".join(f"{name} = {knob.text(self.controls[name].value)}"
                           for name, knob in self.knobs.items())
        self._show(f"{shown} — {'used by the next run' if self._busy.locked() else 'press Run'}")

    def _show(self, text: str) -> None:
        self._status_html = html.escape(text)
        self.status.value = self._status_html

    def _fail(self, message: str, trace: str | None = None) -> None:
        self.error, self.error_traceback = message, trace
        self._status_html = f'<span style="color:#c62828">⚠ {html.escape(message)}</span>{_folded(trace)}'
        self.status.value = self._status_html


def _learners_traceback(problem: BaseException) -> str:
    """The traceback of an error, from the first frame outside this module (the learner's
    ``train``, ``preview`` or ``report``) down to the line that raised."""
    frames = problem.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename == __file__:
        frames = frames.tb_next
    return "".join(traceback.format_exception(type(problem), problem, frames))


def _folded(trace: str | None) -> str:
    """A traceback as HTML, folded: one click on "Traceback" opens it."""
    if not trace:
        return ""
    return ('<details><summary>Traceback</summary><pre style="font-size: 85%; line-height: 1.3; '
            f'white-space: pre-wrap">{html.escape(trace)}</pre></details>')


def _figure_of(drawing) -> Figure:
    """The figure of what a preview returned: a Figure, an Axes, or several axes (Panels)."""
    if isinstance(drawing, Figure):
        return drawing
    if hasattr(drawing, "flat"):  # an array of axes, as Figure.subplots returns
        drawing = list(drawing.flat)
    first = drawing[0] if isinstance(drawing, (list, tuple)) and drawing else drawing
    figure = getattr(first, "figure", None)
    if not isinstance(figure, Figure):
        raise TypeError(f"preview must return a matplotlib Figure or its axes, got {type(drawing).__name__}")
    return figure
