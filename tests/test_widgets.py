"""The knob panel trains a tiny real Keras model: values reach ``train``, the plot updates
every epoch, mistakes show in the panel instead of raising, and Stop stops."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import html
import threading
import time

import ipywidgets
import keras
import numpy as np
import pytest

from course_utils import plots, widgets
from course_utils.models import build_cnn
from course_utils.widgets import Choice, IntSlider, KnobPanel, LogSlider, Slider, Toggle, _LivePlot

PNG_SIGNATURE = b"\x89PNG"
WAIT_LIMIT = 60  # seconds: a bound on waiting for a background run, not a speed requirement

rng = np.random.default_rng(0)
IMAGES = rng.normal(size=(64, 8, 8, 1)).astype("float32")
LABELS = rng.integers(0, 3, size=64)


def make_panel(train=None):
    """A panel over a tiny CNN; ``panel.calls`` records the knob values each run received."""
    calls = []

    def train_tiny_cnn(learning_rate, initializer, epochs, poisoned, callbacks):
        calls.append({"learning_rate": learning_rate, "initializer": initializer, "epochs": epochs})
        model = build_cnn(input_shape=(8, 8, 1), num_classes=3, filters=(4,), initializer=initializer)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="sparse_categorical_crossentropy")
        images = IMAGES * np.float32(np.inf) if poisoned else IMAGES  # ±inf inputs: NaN losses
        return model.fit(images, LABELS, validation_split=0.25, epochs=epochs, batch_size=16,
                         callbacks=callbacks, verbose=0)

    panel = KnobPanel(
        train or train_tiny_cnn,
        [LogSlider("learning_rate", 1e-2, low=1e-5, high=1.0),
         Choice("initializer", "glorot_uniform", ["glorot_uniform", "he_uniform", "no_such_initializer"]),
         IntSlider("epochs", 2, low=1, high=300),
         Toggle("poisoned", False)],
        num_classes=3, title="Tiny CNN")
    panel.calls = calls
    return panel


def record(widget):
    """Every new value of ``widget.value``, in order."""
    seen = []
    widget.observe(lambda change: seen.append(change["new"]), names="value")
    return seen


def wait_for(condition, limit=WAIT_LIMIT):
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting after {limit} s"
        time.sleep(0.05)


def test_run_passes_the_knob_values_to_train_and_returns_its_history():
    panel = make_panel()
    history = panel.run(learning_rate=0.05, initializer="he_uniform", epochs=3)
    assert len(history.history["loss"]) == 3
    assert panel.calls == [{"learning_rate": 0.05, "initializer": "he_uniform", "epochs": 3}]
    assert panel.last_history is history and panel.error is None
    assert panel.controls["initializer"].value == "he_uniform" and panel.controls["epochs"].value == 3
    assert panel.controls["learning_rate"].value == pytest.approx(0.05)
    status = panel.status.value
    assert "lr=5.0e-02, he_uniform, epochs=3" in status and "done, 3 epochs" in status
    assert "val_loss" in status


def test_a_run_says_when_the_kernel_holds_too_much_memory(monkeypatch):
    panel = make_panel()
    monkeypatch.setattr(widgets, "kernel_mb", lambda: widgets.MEMORY_NOTICE_MB - 1.0)
    panel.run(epochs=1)
    assert "Restart" not in panel.status.value
    monkeypatch.setattr(widgets, "kernel_mb", lambda: widgets.MEMORY_NOTICE_MB + 230.0)
    panel.run(epochs=1)
    status = panel.status.value
    assert "done, 1 epoch" in status and f"holds {widgets.MEMORY_NOTICE_MB + 230:,} MB" in status
    assert "Kernel → Restart Kernel frees it" in status


def test_plot_is_a_png_of_every_epoch_at_the_end():
    panel = make_panel()
    frames = record(panel.plot)
    panel.run(epochs=3)
    frames = [bytes(frame) for frame in frames]  # ipywidgets 8 keeps a memoryview
    assert len(frames) >= 2 and all(frame.startswith(PNG_SIGNATURE) for frame in frames)
    assert len(set(frames)) == len(frames)
    assert bytes(panel.plot.value) == frames[-1]


def drawn_epochs(panel, drawing_seconds=0.0, render=True):
    """Records how many epochs each redraw of ``panel``'s plot showed; each redraw takes
    ``drawing_seconds`` more (and no time at all without ``render``)."""
    drawn, draw = [], panel._draw

    def slow_draw(values, label):
        time.sleep(drawing_seconds)
        drawn.append(len(values["loss"]))
        if render:
            draw(values, label)

    panel._draw = slow_draw
    return drawn


class SlowEpochs(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.2)


def test_drawing_takes_at_most_its_share_of_the_training_time():
    panel = make_panel()
    drawn = drawn_epochs(panel, drawing_seconds=0.5)  # 25 s of training per redraw at 2 %
    panel.run(epochs=8)
    assert drawn == [1, 8]  # the first epoch at once, then the whole run at its end


def test_every_epoch_is_drawn_when_drawing_is_cheap_next_to_an_epoch(monkeypatch):
    # a redraw that only records takes microseconds, even on a busy machine: far below half an epoch
    monkeypatch.setattr(_LivePlot, "DRAWING_SHARE", 0.5)

    def train_slowly(learning_rate, initializer, epochs, poisoned, callbacks):
        model = build_cnn(input_shape=(8, 8, 1), num_classes=3, filters=(4,))
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return model.fit(IMAGES, LABELS, epochs=epochs, verbose=0, callbacks=[SlowEpochs(), *callbacks])

    panel = make_panel(train_slowly)
    drawn = drawn_epochs(panel, render=False)
    panel.run(epochs=4)
    assert drawn == [1, 2, 3, 4]


@pytest.mark.parametrize("overrides, message", [
    ({"learning_rate": "abc"}, "learning_rate must be a positive number, got 'abc'"),
    ({"learning_rate": -1}, "learning_rate must be a positive number, got -1"),
    ({"learning_rate": float("nan")}, "learning_rate must be a positive number, got nan"),
    ({"learning_rate": float("inf")}, "learning_rate must be a positive number, got inf"),
    ({"learning_rate": 5.0}, "learning_rate must be between 1.0e-05 and 1.0e+00, got 5.0e+00"),
    ({"epochs": 2.5}, "epochs must be a whole number, got 2.5"),
    ({"epochs": 0}, "epochs must be between 1 and 300, got 0"),
    ({"initializer": "nonsense"}, "initializer must be one of 'glorot_uniform', 'he_uniform'"),
    ({"poisoned": "yes"}, "poisoned must be True or False, got 'yes'"),
    ({"no_such_knob": 1}, "no knob named 'no_such_knob'; the knobs are learning_rate, initializer"),
])
def test_invalid_values_show_in_the_panel_without_raising(overrides, message):
    panel = make_panel()
    shown_before = {name: control.value for name, control in panel.controls.items()}
    assert panel.run(**overrides) is None
    assert message in panel.error
    assert "color" in panel.status.value and message.replace("'", "&#x27;") in panel.status.value
    assert panel.calls == []
    assert {name: control.value for name, control in panel.controls.items()} == shown_before


def test_the_panel_works_after_an_invalid_value():
    panel = make_panel()
    assert panel.run(learning_rate="abc", epochs=1) is None
    assert panel.run(no_such_knob=1) is None
    history = panel.run(epochs=1)
    assert len(history.history["loss"]) == 1
    assert panel.error is None and "color" not in panel.status.value


def test_an_error_inside_train_is_shown_not_raised():
    def broken_train(**_settings):
        raise ValueError("boom")

    panel = make_panel(broken_train)
    assert panel.run() is None
    assert panel.error == "ValueError: boom"
    assert "ValueError: boom" in panel.status.value


def load_the_data(path):
    return open(path).read()  # the line a learner needs to see


def train_with_a_bug(**_settings):
    return load_the_data("/no/such/folder/images.npz")


def test_an_error_shows_its_traceback_folded_under_the_message():
    panel = make_panel(train_with_a_bug)
    assert panel.run() is None
    assert panel.error.startswith("FileNotFoundError: ")
    status = panel.status.value
    assert status.index("FileNotFoundError") < status.index("<details>") < status.index("</details>")
    assert "<summary>Traceback</summary>" in status
    trace = panel.error_traceback
    assert trace.startswith("Traceback (most recent call last):")
    assert "in train_with_a_bug" in trace and "in load_the_data" in trace
    assert "return open(path).read()  # the line a learner needs to see" in trace
    assert "course_utils" not in trace  # the panel's own calls are not the learner's concern
    assert html.escape(trace) in status


def test_an_error_in_a_preview_or_a_report_shows_its_traceback_too():
    def preview(**knobs):
        return load_the_data("/no/such/preview")

    panel = make_preview_panel(preview=preview)
    assert "in load_the_data" in panel.error_traceback and "<details>" in panel.status.value

    def report(history):
        return load_the_data("/no/such/report")

    panel = make_preview_panel(report=report)
    panel.run(epochs=1)
    assert "<details>" in panel.report.value and "in load_the_data" in panel.report.value


def test_a_successful_run_clears_the_traceback():
    panel = make_panel(train_with_a_bug)
    panel.run()
    panel.train = make_panel().train
    assert panel.run(epochs=1) is not None
    assert panel.error is None and panel.error_traceback is None and "<details>" not in panel.status.value


def test_a_keras_error_inside_train_is_shown_not_raised():
    panel = make_panel()
    assert panel.run(initializer="no_such_initializer", epochs=1) is None
    assert panel.error.startswith("ValueError: ") and "no_such_initializer" in panel.error
    assert panel.controls["initializer"].value == "no_such_initializer"  # valid for the knob: shown
    assert panel.run(initializer="glorot_uniform", epochs=1) is not None and panel.error is None


def test_train_must_return_a_history():
    panel = make_panel(lambda **_settings: None)
    assert panel.run() is None
    assert "train must return model.fit(...)'s History" in panel.error


def test_nan_losses_are_not_an_error():
    panel = make_panel()
    history = panel.run(poisoned=True, epochs=2)
    assert np.isnan(history.history["loss"]).all()
    assert panel.error is None and "loss nan" in panel.status.value
    assert bytes(panel.plot.value).startswith(PNG_SIGNATURE)


def test_moving_a_knob_shows_the_new_settings():
    panel = make_panel()
    before = panel.status.value
    panel.controls["learning_rate"].value = 0.1
    assert panel.status.value != before
    assert "learning_rate = 1.0e-01" in panel.status.value and "press Run" in panel.status.value
    panel.controls["initializer"].value = "he_uniform"
    assert "initializer = he_uniform" in panel.status.value


def test_run_button_trains_in_the_background_with_the_widget_values():
    panel = make_panel()
    panel.controls["epochs"].value = 1
    panel.controls["initializer"].value = "he_uniform"
    panel.run_button.click()
    assert panel.wait(WAIT_LIMIT)
    assert panel.calls == [{"learning_rate": pytest.approx(1e-2), "initializer": "he_uniform", "epochs": 1}]
    assert len(panel.last_history.history["loss"]) == 1


def test_stop_ends_a_long_run_early():
    panel = make_panel()
    frames = record(panel.plot)
    thread = panel.start(epochs=200)
    assert thread.is_alive()
    wait_for(lambda: len(frames) >= 1)
    panel.stop()
    assert panel.wait(WAIT_LIMIT)
    epochs_run = len(panel.last_history.history["loss"])
    assert 1 <= epochs_run < 200
    assert f"stopped after {epochs_run} of 200 epochs" in panel.status.value
    assert panel.stop_button.disabled


def test_a_second_start_while_running_is_refused():
    panel = make_panel()
    statuses = record(panel.status)
    first = panel.start(epochs=200)
    assert panel.start(epochs=1) is None
    assert panel.run(epochs=1) is None
    assert [thread.name for thread in threading.enumerate()].count("KnobPanel run") == 1
    assert any("A run is already going" in status for status in statuses)
    panel.stop()
    assert panel.wait(WAIT_LIMIT) and not first.is_alive()
    assert len(panel.calls) == 1


def test_knob_specs_build_their_widgets_and_clean_values():
    rate = LogSlider("learning_rate", 1e-3, low=1e-5, high=1.0)
    slider = rate.widget()
    assert isinstance(slider, ipywidgets.FloatLogSlider)
    assert (slider.base, slider.min, slider.max, slider.value) == (10, -5, 0, pytest.approx(1e-3))
    assert isinstance(Slider("dropout", 0.2, 0.0, 0.9, 0.1).widget(), ipywidgets.FloatSlider)
    assert IntSlider("epochs", 5, low=1, high=30).validate(3.0) == 3
    assert isinstance(Choice("act", "relu", ["relu", "tanh"]).widget(), ipywidgets.Dropdown)
    assert isinstance(Toggle("batch_norm", True).widget(), ipywidgets.Checkbox)
    with pytest.raises(ValueError, match="between"):
        LogSlider("learning_rate", 10.0, low=1e-5, high=1.0)
    with pytest.raises(ValueError, match="low < high"):
        LogSlider("learning_rate", 1e-3, low=0.0, high=1.0)


def test_the_panel_is_one_widget():
    panel = make_panel()
    children = panel.widget.children
    assert panel.status in children and panel.plot in children
    assert all(control in children for control in panel.controls.values())
    assert panel.stop_button.disabled and not panel.run_button.disabled


def schedule_preview(learning_rate, initializer, epochs, poisoned):
    """A preview that needs no training: a learning rate halved every epoch."""
    if initializer == "no_such_initializer":
        raise KeyError(initializer)
    figure = plots.new_figure()
    figure.subplots().plot([learning_rate * 0.5**epoch for epoch in range(epochs)])
    return figure


def make_preview_panel(preview=schedule_preview, report=None):
    panel = make_panel()
    return KnobPanel(panel.train, list(panel.knobs.values()), preview=preview, report=report)


def test_a_preview_is_drawn_at_once_and_again_when_a_knob_moves():
    panel = make_preview_panel()
    first = bytes(panel.preview_plot.value)
    assert first.startswith(PNG_SIGNATURE) and panel.preview_plot in panel.widget.children
    panel.controls["learning_rate"].value = 0.5
    assert bytes(panel.preview_plot.value).startswith(PNG_SIGNATURE)
    assert bytes(panel.preview_plot.value) != first
    assert "learning_rate = 5.0e-01" in panel.status.value and panel.error is None


def test_sliders_of_a_preview_panel_update_on_release():
    panel = make_preview_panel()
    assert panel.controls["learning_rate"].continuous_update is False
    assert make_panel().controls["learning_rate"].continuous_update is True


def test_a_failing_preview_is_shown_and_the_panel_recovers():
    panel = make_preview_panel()
    kept = bytes(panel.preview_plot.value)
    panel.controls["initializer"].value = "no_such_initializer"
    assert panel.error == "preview: KeyError: 'no_such_initializer'" and "⚠" in panel.status.value
    assert bytes(panel.preview_plot.value) == kept
    panel.controls["initializer"].value = "he_uniform"
    assert panel.error is None and "he_uniform" in panel.status.value


def test_a_preview_must_return_a_figure():
    panel = make_preview_panel(preview=lambda **knobs: "not a figure")
    assert panel.error == "preview: TypeError: preview must return a matplotlib Figure or its axes, got str"


@pytest.mark.parametrize("drawing", ["axes", "panels", "array"])
def test_a_preview_may_return_the_axes_the_plots_return(drawing):
    def preview(learning_rate, **knobs):
        if drawing == "axes":
            return plots.plot_history({"loss": [learning_rate, 1.0]}, ax=plots.new_figure().subplots())
        if drawing == "array":
            return plots.new_figure().subplots(1, 2)
        return plots.compare_runs({"a": {"loss": [learning_rate, 1.0]}}, metrics=("loss",))

    panel = make_preview_panel(preview=preview)
    assert panel.error is None and bytes(panel.preview_plot.value).startswith(PNG_SIGNATURE)


def test_a_pyplot_preview_figure_is_closed(monkeypatch):
    from matplotlib import pyplot

    def pyplot_preview(**knobs):
        return pyplot.figure()

    before = len(pyplot.get_fignums())
    panel = make_preview_panel(preview=pyplot_preview)
    panel.controls["epochs"].value = 3
    assert panel.error is None and len(pyplot.get_fignums()) == before


def test_panels_without_preview_or_report_have_neither():
    panel = make_panel()
    assert panel.preview_plot is None and panel.report is None and not panel.refresh_preview()


def test_the_report_shows_each_successful_runs_verdict():
    seen = []

    def epochs_report(history):
        seen.append(history)
        return f"<{len(history.history['loss'])} epochs>"

    panel = make_preview_panel(report=epochs_report)
    history = panel.run(epochs=2)
    assert seen == [history] and panel.report in panel.widget.children
    assert "&lt;2 epochs&gt;" in panel.report.value
    panel.run(poisoned="yes")
    assert len(seen) == 1 and "&lt;2 epochs&gt;" in panel.report.value


def test_a_failing_report_keeps_the_run():
    def broken_report(history):
        raise ValueError("no verdict")

    panel = make_preview_panel(report=broken_report)
    history = panel.run(epochs=1)
    assert history is not None and panel.last_history is history
    assert "report: ValueError: no verdict" in panel.report.value


def test_the_stop_callback_leaves_keras_batch_logs_in_the_background():
    # Keras 3 hands batch logs over synchronously to any callback that overrides on_train_batch_end
    from course_utils.widgets import _StopWhenAsked
    assert _StopWhenAsked.on_train_batch_end is keras.callbacks.Callback.on_train_batch_end
