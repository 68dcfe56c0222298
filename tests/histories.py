"""Training histories for the history-file and diagnose tests, and writers that use Keras's own callbacks.

One history per loss-doctor symptom (values as in ``test_loss_doctor.py``), written to disk by Keras's
``CSVLogger`` and ``TensorBoard`` callbacks driven epoch by epoch, or dumped as JSON the way a
project saves ``History.history``; and a real ``fit`` that writes all three at once.
"""

import importlib.util
import json
import math
from pathlib import Path

import keras
import numpy as np
import pytest

from course_utils.loss_doctor import (
    DIVERGED, HEALTHY, OSCILLATING, OVERFITTING, PLATEAU, STUCK, TOO_SHORT, WORSE_THAN_CHANCE,
)

HAS_TENSORBOARD = importlib.util.find_spec("tensorboard") is not None
needs_tensorboard = pytest.mark.skipif(
    not HAS_TENSORBOARD, reason="Keras's TensorBoard callback needs the tensorboard package to write logs "
                                "(TensorFlow 2.21 no longer installs it; it is in the test extra)")

SYMPTOM_HISTORIES = {  # symptom → a 10-class history that shows it (and only it)
    HEALTHY: {"loss": [1.925, 0.502, 0.238, 0.173, 0.149, 0.141, 0.111, 0.091, 0.087, 0.080],
              "val_loss": [1.001, 0.302, 0.243, 0.213, 0.179, 0.172, 0.150, 0.149, 0.129, 0.121]},
    STUCK: {"loss": [2.9, 2.311, 2.310, 2.310, 2.311], "val_loss": [2.30, 2.31, 2.31, 2.31, 2.31]},
    DIVERGED: {"loss": [4.9, 2.1, 1.8, math.nan], "val_loss": [2.0, 1.9, 1.8, math.nan]},
    WORSE_THAN_CHANCE: {"loss": [8.02, 9.08, 9.98, 9.997, 9.997], "val_loss": [8.5, 9.5, 9.9, 9.99, 9.99]},
    OSCILLATING: {"loss": [2.0, 1.2, 0.9, 1.3, 0.8, 1.2, 0.7, 1.1, 0.75],
                  "val_loss": [1.9, 1.1, 0.9, 1.2, 0.8, 1.1, 0.7, 1.0, 0.75]},
    PLATEAU: {"loss": [2.0, 1.5, 1.2, 1.1, 1.099, 1.098, 1.097, 1.097],
              "val_loss": [1.9, 1.4, 1.2, 1.1, 1.1, 1.1, 1.1, 1.1]},
    OVERFITTING: {"loss": [1.5, 0.8, 0.5, 0.3, 0.2, 0.1, 0.05],
                  "val_loss": [1.4, 0.9, 0.7, 0.8, 0.95, 1.1, 1.3]},
    TOO_SHORT: {"loss": [2.9, 2.45, 2.35], "val_loss": [2.7, 2.5, 2.4]},
}


def _epoch_logs(history, epoch):
    logs = {name: values[epoch] for name, values in history.items()}
    logs["accuracy"] = 0.1 + 0.05 * epoch  # a second metric, as every real log has
    return logs


def _tiny_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def drive(callback, history, model=None):
    """Feeds ``history``'s epochs to a Keras callback as ``fit`` would, without training."""
    callback.set_model(model or _tiny_model())
    callback.on_train_begin()
    for epoch in range(len(history["loss"])):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, _epoch_logs(history, epoch))
    callback.on_train_end()


def write_csv(history, path: Path) -> Path:
    drive(keras.callbacks.CSVLogger(str(path)), history)
    return path


def write_json(history, path: Path) -> Path:
    values = {name: [_epoch_logs(history, epoch)[name] for epoch in range(len(history["loss"]))]
              for name in [*history, "accuracy"]}
    path.write_text(json.dumps(values))  # NaN is written as NaN, as json.dump does with History.history
    return path


def write_tensorboard(history, folder: Path) -> Path:
    drive(keras.callbacks.TensorBoard(log_dir=str(folder), histogram_freq=0, write_graph=False), history)
    return folder


def real_fit(folder: Path, epochs: int = 4, *, tensorboard: bool = True):
    """A real ``fit`` of a small classifier of 3 separable classes, logging to CSV, JSON and TensorBoard."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype("float32")
    y = np.argmax(x[:, :3], axis=1)
    keras.utils.set_random_seed(0)
    model = _tiny_model()
    callbacks = [keras.callbacks.CSVLogger(str(folder / "training.csv"))]
    if tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(folder / "logs"), write_graph=False))
    history = model.fit(x, y, validation_split=0.25, epochs=epochs, batch_size=16, callbacks=callbacks, verbose=0)
    (folder / "history.json").write_text(json.dumps(history.history))
    return history.history
