"""Images per second of the two augmentation pipelines: Keras preprocessing layers in ``tf.data``
against the legacy ``ImageDataGenerator``, same images, same transforms, same batch size.

The two are timed in turns (layers, generator, layers, generator, …) so that a change in the
machine's load hits both alike; the result is the median of the per-round ratios. Run it with::

    PYTHONPATH=. python benchmarks/augmentation_throughput.py [--rounds 7] [--images 4096]

and copy its last lines into ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import course_utils as cu  # noqa: E402  (sizes TensorFlow's threads before it starts)
from course_utils.augment import HIGH_TRAINING_LOSS, Augmentation  # noqa: E402


def images_per_second(make_batches, count: int, batch_size: int) -> float:
    """Starts a fresh pipeline, draws ``count`` images' worth of batches from it and returns images per
    second. Fresh each time, so that no batch prepared in the background during the other pipeline's
    turn is counted."""
    steps = -(-count // batch_size)
    started = time.perf_counter()
    batches = make_batches(steps)
    for _ in range(steps):
        next(batches)
    seconds = time.perf_counter() - started
    del batches
    return steps * batch_size / seconds


def pipelines(augmentation: Augmentation, images: np.ndarray, *, batch_size: int = 32, seed: int = 0):
    """Two functions that each start a fresh pipeline of ``steps`` batches: layers in tf.data, and the
    ImageDataGenerator."""
    dataset = augmentation.dataset(images, batch_size=batch_size, seed=seed, repeat=True)
    generator = augmentation.image_data_generator()
    return {"tf.data + layers": lambda steps: iter(dataset.take(steps)),
            "ImageDataGenerator": lambda steps: generator.flow(images, batch_size=batch_size, seed=seed)}


def measure(augmentation: Augmentation, images: np.ndarray, *, count: int, rounds: int, batch_size: int = 32,
            seed: int = 0) -> dict:
    """Times both pipelines in turns; returns per-round images/s of each and their median ratio."""
    make = pipelines(augmentation, images, batch_size=batch_size, seed=seed)
    for start in make.values():  # warm-up: tracing the map function, first batches
        images_per_second(start, 4 * batch_size, batch_size)
    rates = {name: [] for name in make}
    for _ in range(rounds):
        for name, start in make.items():
            rates[name].append(images_per_second(start, count, batch_size))
    ratios = [fast / slow for fast, slow in zip(rates["tf.data + layers"], rates["ImageDataGenerator"], strict=True)]
    return {"layers": rates["tf.data + layers"], "generator": rates["ImageDataGenerator"],
            "ratio": statistics.median(ratios), "ratios": ratios}


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    cores = cu.config.cpu_limit()
    loaded = "loaded" if load[0] > 0.5 * cores else "quiet"
    return (f"{platform.processor() or platform.machine()}, {cores} usable cores, load average "
            f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the start ({loaded} machine)")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--images", type=int, default=4096, help="images drawn from each pipeline per round")
    parser.add_argument("--batch-size", type=int, default=32)
    arguments = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    started = machine()
    digits = cu.load_dataset("digits")
    result = measure(HIGH_TRAINING_LOSS, digits.x_train, count=arguments.images, rounds=arguments.rounds,
                     batch_size=arguments.batch_size)
    print(f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {started}; load average at the end {os.getloadavg()[0]:.1f}")
    print(f"versions: Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"NumPy {np.__version__}")
    print(f"data: {len(digits.x_train)} digits images {digits.input_shape}, batch {arguments.batch_size}, "
          f"{arguments.images} images per pipeline per round, {arguments.rounds} rounds in turns")
    print(f"transforms: {HIGH_TRAINING_LOSS.describe()}, fill {HIGH_TRAINING_LOSS.fill_mode}")
    print(f"tf.data + layers: median {statistics.median(result['layers']):,.0f} images/s "
          f"(range {min(result['layers']):,.0f}–{max(result['layers']):,.0f})")
    print(f"ImageDataGenerator: median {statistics.median(result['generator']):,.0f} images/s "
          f"(range {min(result['generator']):,.0f}–{max(result['generator']):,.0f})")
    print(f"ratio (median of the per-round ratios): {result['ratio']:.2f}× "
          f"(per round {min(result['ratios']):.2f}–{max(result['ratios']):.2f})")
    return result


if __name__ == "__main__":
    main()
