"""Stop at any moment of a run, with real tiny ``fit``s in the panel's background thread: before
the first epoch, mid-epoch (between two batches), after the last epoch, twice, and with no run
going. Each time the panel ends ready for the next run (Run enabled, Stop disabled), its status
line says what happened, and the next run works."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import threading

import keras
import numpy as np
import pytest

from course_utils.widgets import IntSlider, KnobPanel

WAIT = 60  # seconds: a bound on waiting for the background thread, not a speed requirement

rng = np.random.default_rng(0)
IMAGES = rng.normal(size=(32, 4)).astype("float32")
LABELS = rng.integers(0, 3, size=32)


class Moments:
    """Events a test waits for and answers: where the run is, and when it may go on."""

    def __init__(self):
        self.reached, self.go_on = threading.Event(), threading.Event()


def make_panel(pause_at=None):
    """A panel over a tiny real model, 8 batches an epoch. ``pause_at`` pauses the run at one
    moment ("before fit", "batch 3" or "after fit") until the test has pressed Stop."""
    moments = Moments()

    class PauseAtBatch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if pause_at == "batch 3" and batch == 3 and not moments.reached.is_set():
                moments.reached.set()
                moments.go_on.wait(WAIT)

    def train(epochs, callbacks):
        if pause_at == "before fit":  # the model is being built: Stop lands before the first epoch
            moments.reached.set()
            moments.go_on.wait(WAIT)
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        history = model.fit(IMAGES, LABELS, epochs=epochs, batch_size=4, verbose=0,
                            callbacks=[*callbacks, PauseAtBatch()])
        if pause_at == "after fit":
            moments.reached.set()
            moments.go_on.wait(WAIT)
        return history

    panel = KnobPanel(train, [IntSlider("epochs", 2, low=1, high=50)], num_classes=3)
    return panel, moments


def ready(panel):
    """The panel's state between runs."""
    return not panel.run_button.disabled and panel.stop_button.disabled and panel.wait(0)


def assert_next_run_works(panel):
    history = panel.run(epochs=1)
    assert history is not None and len(history.history["loss"]) == 1
    assert "done, 1 epoch" in panel.status.value and panel.error is None and ready(panel)


def stop_at(moment, presses=1, epochs=50):
    panel, moments = make_panel(pause_at=moment)
    thread = panel.start(epochs=epochs)
    assert thread is not None
    assert moments.reached.wait(WAIT), "the run never reached the moment"
    assert panel.run_button.disabled and not panel.stop_button.disabled  # a run is going
    for _ in range(presses):
        panel.stop()
        assert "Stopping after the current batch" in panel.status.value
    moments.go_on.set()
    assert panel.wait(WAIT)
    return panel


def test_stop_before_train_is_called_trains_nothing():
    panel, _ = make_panel()
    settings = panel._claim({"epochs": 50})  # Run pressed; its thread has not called train yet
    panel.stop()
    assert panel._train(settings) is None
    assert "stopped before the first epoch, nothing trained" in panel.status.value
    assert panel.last_history is None and panel.error is None and ready(panel)
    assert_next_run_works(panel)


def test_stop_while_the_model_is_built_ends_after_the_first_batch():
    panel = stop_at("before fit")
    assert len(panel.last_history.history["loss"]) == 1
    assert "stopped after 1 of 50 epochs" in panel.status.value and ready(panel)
    assert_next_run_works(panel)


@pytest.mark.parametrize("presses", [1, 2])
def test_stop_mid_epoch_ends_after_the_current_batch(presses):
    panel = stop_at("batch 3", presses)
    assert len(panel.last_history.history["loss"]) == 1  # the epoch ends at the next batch
    assert "stopped after 1 of 50 epochs" in panel.status.value and ready(panel)
    assert panel.error is None
    assert_next_run_works(panel)


def test_stop_after_the_last_epoch_leaves_the_run_done():
    panel = stop_at("after fit", epochs=3)
    assert len(panel.last_history.history["loss"]) == 3
    assert "done, 3 epochs (Stop came after the last batch)" in panel.status.value and ready(panel)
    assert_next_run_works(panel)


def test_stop_with_no_run_going_changes_nothing_and_says_so():
    panel, _ = make_panel()
    panel.stop()
    assert "Nothing to stop: no run is going." in panel.status.value and ready(panel)
    history = panel.run(epochs=2)
    outcome = panel.status.value
    panel.stop()
    panel.stop()
    assert panel.status.value.count("Nothing to stop") == 1 and outcome in panel.status.value
    assert panel.last_history is history and ready(panel)
    assert_next_run_works(panel)
