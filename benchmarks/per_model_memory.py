"""How much memory does each training run keep, and which way of repeating runs keeps none?

Trains a small CNN (Conv2D 16 → max-pool → Dense 10) on a subset of the course's digits
(scikit-learn's 8×8 digits upscaled to 28×28) ``--runs`` times in one plain Python process
(no panel, no notebook) and measures the process's resident memory (RSS, after ``gc.collect()``)
after each run. Four ways of repeating a run, each in its own fresh Python process so that they
share no memory:

``fresh``        a new model built, compiled and fitted each run (what the notebooks do);
``fresh+clear``  the same, then ``keras.backend.clear_session()`` and ``gc.collect()``;
``reset``        one model built and compiled once; before each run every kernel and bias is
                 re-drawn from its layer's initializer, the optimizer's variables are set to zero
                 (its step count included) and its learning rate assigned, then ``fit`` again;
``child``        each run built, compiled and fitted in a child process ("spawn"), which returns
                 the history; the parent's RSS is measured.

Growth = RSS after the last run − RSS after the first. Each way also checks that training happens
(every run's final loss below ln 10 ≈ 2.303, with the expected number of epochs) and, for
``reset``, that each run starts afresh (run 2's first-epoch loss close to run 1's, not to run 1's
last). Usage::

    python benchmarks/per_model_memory.py [--runs 20] [--images 512] [--epochs 2]
                                          [--ways fresh reset ...] [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WAYS = ("fresh", "fresh+clear", "reset", "child")
LEARNING_RATE = 1e-3
BATCH_SIZE = 32


def rss_mb() -> float:
    import psutil

    gc.collect()
    return psutil.Process().memory_info().rss / 2**20


def load_subset(images: int):
    import course_utils

    data = course_utils.load_dataset("digits")
    return data.x_train[:images], data.y_train[:images]


def build_model():
    import keras

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_new_model(x, y, epochs: int, seed: int) -> dict:
    """Builds, compiles and fits a new model; returns its history."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build_model()
    history = model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0)
    return history.history


def reset(model, learning_rate: float) -> int:
    """Puts a compiled model back to a fresh start; returns how many weights were re-drawn.

    Keras 3 keeps no initializer on a variable once it holds a value, but each layer keeps its own
    (``kernel_initializer``, ``bias_initializer``). An initializer seeded with an integer, or
    unseeded, returns the same values at every call, so the model restarts from the weights it was
    built with. The optimizer's variables (step count, learning rate, Adam's moments) go to zero,
    then the learning rate is assigned again.
    """
    from keras import ops

    redrawn = 0
    for layer in model.layers:
        for name in ("kernel", "bias"):
            variable = getattr(layer, name, None)
            if variable is not None:
                initializer = getattr(layer, f"{name}_initializer")
                variable.assign(initializer(variable.shape, dtype=variable.dtype))
                redrawn += 1
    for variable in model.optimizer.variables:
        variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))
    model.optimizer.learning_rate = learning_rate
    return redrawn


def child_run(images: int, epochs: int, seed: int) -> dict:
    """Runs in a child process: imports, loads the data, trains; returns the history and the time
    it spent training (data loading and training, after TensorFlow's import)."""
    import course_utils  # noqa: F401 - TensorFlow and Keras with it: the child's start-up cost
    import keras  # noqa: F401

    start = time.perf_counter()
    x, y = load_subset(images)
    history = train_new_model(x, y, epochs, seed)
    return {"history": history, "train_seconds": time.perf_counter() - start, "child_rss_mb": rss_mb()}


def function_count() -> int:
    from tensorflow.python.eager import context

    return len(context.context().list_function_names())


def measure(way: str, runs: int, images: int, epochs: int) -> dict:
    """One way, ``runs`` runs, in this process; returns what was measured."""
    import keras  # noqa: F401 - imported before the first sample, as in a notebook's kernel

    x, y = load_subset(images)
    histories, seconds, rss, child_seconds, child_rss = [], [], [], [], []
    model = None
    if way == "reset":
        keras.utils.set_random_seed(0)
        model = build_model()
        model.build((None, 28, 28, 1))
    context = multiprocessing.get_context("spawn")
    for run in range(runs):
        start = time.perf_counter()
        if way in ("fresh", "fresh+clear"):
            histories.append(train_new_model(x, y, epochs, seed=run))
            if way == "fresh+clear":
                keras.backend.clear_session()
                gc.collect()
        elif way == "reset":
            redrawn = reset(model, LEARNING_RATE)
            assert redrawn == len(model.trainable_weights), "a weight was not re-drawn"
            histories.append(model.fit(x, y, epochs=epochs, batch_size=BATCH_SIZE, verbose=0).history)
        else:
            with context.Pool(1) as pool:
                result = pool.apply(child_run, (images, epochs, run))
            histories.append(result["history"])
            child_seconds.append(result["train_seconds"])
            child_rss.append(result["child_rss_mb"])
        seconds.append(time.perf_counter() - start)
        rss.append(rss_mb())
    first_losses = [history["loss"][0] for history in histories]
    final_losses = [history["loss"][-1] for history in histories]
    result = {
        "way": way, "runs": runs, "images": images, "epochs": epochs,
        "rss_after_first_mb": rss[0], "rss_after_last_mb": rss[-1], "growth_mb": rss[-1] - rss[0],
        "growth_per_run_mb": (rss[-1] - rss[0]) / max(runs - 1, 1),
        "median_run_seconds": statistics.median(seconds),
        "trained": all(len(h["loss"]) == epochs and h["loss"][-1] < math.log(10) for h in histories),
        "final_loss_max": max(final_losses),
        "first_epoch_loss_run1": first_losses[0], "first_epoch_loss_run2": first_losses[1] if runs > 1 else None,
        "final_loss_run1": final_losses[0],
        "eager_functions_at_end": function_count(),
        "rss_mb": [round(value, 1) for value in rss],  # after each run
    }
    if runs > 1:
        # a fresh start: run 2's first epoch nearer run 1's first epoch than run 1's last
        result["fresh_start"] = (abs(first_losses[1] - first_losses[0])
                                 < abs(first_losses[1] - final_losses[0]))
    if child_seconds:
        result["child_rss_max_mb"] = max(child_rss)  # the child's RSS after its run, beside the parent's
        result["child_train_median_seconds"] = statistics.median(child_seconds)
        result["child_start_up_median_seconds"] = statistics.median(
            total - inside for total, inside in zip(seconds, child_seconds))
    return result


def versions() -> str:
    import keras
    import tensorflow

    return (f"{platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"TensorFlow {tensorflow.__version__}, Keras {keras.__version__}")


def run_way_in_new_process(way: str, arguments: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--one-way", way, "--runs", str(arguments.runs),
               "--images", str(arguments.images), "--epochs", str(arguments.epochs)]
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
                       PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith("PER-MODEL "):
            return json.loads(line.removeprefix("PER-MODEL "))
    tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return {"way": way, "error": tail[:300]}


def print_row(result: dict) -> None:
    if "error" in result:
        print(f"{result['way']:12s} FAILED: {result['error']}", flush=True)
        return
    extra = ""
    if "fresh_start" in result:
        extra += (f"; first-epoch loss run 1 {result['first_epoch_loss_run1']:.3f}, run 2 "
                  f"{result['first_epoch_loss_run2']:.3f} (run 1 ended at {result['final_loss_run1']:.3f})")
    if "child_start_up_median_seconds" in result:
        extra += (f"; child start-up {result['child_start_up_median_seconds']:.1f} s a run, "
                  f"child RSS up to {result['child_rss_max_mb']:.0f} MB")
    print(f"{result['way']:12s} after run 1 {result['rss_after_first_mb']:6.0f} MB, after run {result['runs']} "
          f"{result['rss_after_last_mb']:6.0f} MB, growth {result['growth_mb']:+6.1f} MB "
          f"({result['growth_per_run_mb']:+.2f} MB/run), median run {result['median_run_seconds']:.2f} s, "
          f"trained {result['trained']}, eager functions {result['eager_functions_at_end']}{extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--images", type=int, default=512, help="training images (a subset of the digits)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS))
    parser.add_argument("--json", type=Path, help="also write the results here (one JSON object per line)")
    parser.add_argument("--one-way", choices=WAYS, help=argparse.SUPPRESS)  # the per-way subprocess
    arguments = parser.parse_args()
    if arguments.one_way:
        result = measure(arguments.one_way, arguments.runs, arguments.images, arguments.epochs)
        print("PER-MODEL " + json.dumps(result), flush=True)
        return
    print(versions(), flush=True)
    print(f"{arguments.runs} runs of {arguments.epochs} epochs on {arguments.images} digits, each way in a "
          f"fresh process; load average {os.getloadavg()[0]:.1f}", flush=True)
    for way in arguments.ways:
        result = run_way_in_new_process(way, arguments)
        result["load_after"] = os.getloadavg()[0]
        print_row(result)
        if arguments.json:
            with arguments.json.open("a", encoding="utf-8") as stream:
                stream.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
