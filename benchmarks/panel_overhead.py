"""The knob panel's overhead: the same model, data and epochs trained through ``panel.run`` (live
plot redrawn every epoch, status line, Stop callback) and through plain ``model.fit``.

Runs alternate (fit, panel, fit, panel, …) so that a change in the machine's load hits both alike;
the result is the median of the per-pair ratios panel / fit, of wall time and of the process's CPU
time (all its threads): on a machine busy with other work the CPU time is the steadier of the two. Usage::

    python benchmarks/panel_overhead.py [--repeats 7] [--epochs 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")

import keras  # noqa: E402

import course_utils as cu  # noqa: E402
from course_utils.widgets import IntSlider, KnobPanel  # noqa: E402

DIGITS = cu.load_dataset("digits")


def build_model() -> keras.Model:
    """The articles' small CNN, on the digits."""
    cu.set_seed(0)
    model = keras.Sequential([
        keras.Input(shape=DIGITS.input_shape),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(DIGITS.num_classes, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train(epochs: int, callbacks=()):
    """What a notebook's ``train`` does: build, then ``fit`` with the panel's callbacks."""
    return build_model().fit(DIGITS.x_train, DIGITS.y_train, validation_data=(DIGITS.x_val, DIGITS.y_val),
                             epochs=epochs, batch_size=32, verbose=0, callbacks=list(callbacks))


def timed(function) -> tuple[float, float]:
    """Wall time and CPU time of ``function()``, in seconds."""
    start, start_cpu = time.perf_counter(), time.process_time()
    function()
    keras.backend.clear_session()
    return time.perf_counter() - start, time.process_time() - start_cpu


def median_ratio(numerators: list[float], denominators: list[float]) -> tuple[float, list[float]]:
    ratios = [numerator / denominator for numerator, denominator in zip(numerators, denominators)]
    return statistics.median(ratios), ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=10)
    arguments = parser.parse_args()
    panel = KnobPanel(train, [IntSlider("epochs", arguments.epochs, 1, 100)], num_classes=DIGITS.num_classes)
    timed(lambda: train(1))  # warm-up: TensorFlow's first graph build is paid by neither side
    plain, through_panel = [], []
    for _ in range(arguments.repeats):
        plain.append(timed(lambda: train(arguments.epochs)))
        through_panel.append(timed(lambda: panel.run(epochs=arguments.epochs)))
        assert panel.error is None, panel.error
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import tensorflow as tf

    print(f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, TensorFlow {tf.__version__}, "
          f"Keras {keras.__version__}, "
          f"{os.cpu_count()} CPUs, load average {load:.1f}")
    print(f"{arguments.repeats} pairs × {arguments.epochs} epochs on {len(DIGITS.x_train)} digits")
    for index, kind in enumerate(("wall", "CPU")):
        fit_times, panel_times = [pair[index] for pair in plain], [pair[index] for pair in through_panel]
        median, ratios = median_ratio(panel_times, fit_times)
        print(f"{kind} time: plain fit median {statistics.median(fit_times):.2f} s, panel.run median "
              f"{statistics.median(panel_times):.2f} s; median ratio panel / fit {median:.3f} "
              f"(per pair: {', '.join(f'{ratio:.3f}' for ratio in ratios)})")


if __name__ == "__main__":
    main()
