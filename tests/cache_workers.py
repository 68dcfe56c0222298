"""Work for the processes that fill one cache at once (tests/test_data.py): each is a fresh Python,
started with multiprocessing's spawn, and all start together at a barrier."""

import contextlib
import hashlib
import io
import multiprocessing
import os
from pathlib import Path

import numpy as np


def version(index: int) -> dict:
    """The arrays process ``index`` caches: its own, about 2 MB, so that writes overlap."""
    rng = np.random.default_rng(100 + index)
    labels = np.arange(2500) % 10
    return {"x_train": rng.integers(0, 256, (2500, 28, 28), dtype=np.uint8), "y_train": labels,
            "x_test": rng.integers(0, 256, (100, 28, 28), dtype=np.uint8), "y_test": labels[:100]}


def version_digest(index: int) -> str:
    from course_utils import data

    return data.arrays_sha256(version(index))


def write_and_read(index: int, rounds: int) -> dict:
    from course_utils import data

    mine, seen, printed = version(index), [], io.StringIO()
    with contextlib.redirect_stdout(printed):
        for _ in range(rounds):
            data.write_cache("fashion_mnist", mine)
            arrays = data.read_cache("fashion_mnist")
            seen.append(None if arrays is None else data.arrays_sha256(arrays))
    return {"seen": seen, "damaged_messages": printed.getvalue().count("damaged")}


def load_fashion(index: int, server: str, keras_home: str) -> dict:
    from course_utils import config, data

    os.environ.update(KERAS_HOME=keras_home, COURSE_MODE="default")
    config.is_online = lambda *args, **kwargs: True  # the archives come from files: the network stays refused
    data.ARCHIVES = {**data.ARCHIVES, "fashion_mnist": {
        name: hashlib.sha256((Path(server) / name).read_bytes()).hexdigest() for name in data.ARCHIVES["fashion_mnist"]}}
    data.MIRRORS = {**data.MIRRORS, "fashion_mnist": (Path(server).as_uri() + "/",)}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        ds = data.load_dataset("fashion_mnist", max_train=30)
        cached = data.read_cache("fashion_mnist")
    return {"name": ds.name, "digest": None if cached is None else data.arrays_sha256(cached),
            "damaged_messages": printed.getvalue().count("damaged"), "printed": printed.getvalue()}


def _worker(work, index, barrier, answers, data_dir, kwargs):
    os.environ["COURSE_DATA_DIR"] = str(data_dir)
    barrier.wait(timeout=300)
    try:
        answers.put((index, work(index, **kwargs)))
    except BaseException as error:  # noqa: BLE001 - the parent reports it
        answers.put((index, {"error": repr(error)}))


def run_together(work, processes: int, data_dir: Path, **kwargs) -> list[dict]:
    """Runs ``work(index, **kwargs)`` in ``processes`` fresh Pythons that start it at the same moment."""
    context = multiprocessing.get_context("spawn")
    barrier, answers = context.Barrier(processes), context.Queue()
    started = [context.Process(target=_worker, args=(work, index, barrier, answers, data_dir, kwargs))
               for index in range(processes)]
    for process in started:
        process.start()
    results = dict(answers.get(timeout=600) for _ in started)
    for process in started:
        process.join(timeout=60)
    return [results[index] for index in range(processes)]
