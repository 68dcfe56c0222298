"""Data sets for the course, all returned as one :class:`Dataset`.

- ``digits``: scikit-learn's 8×8 handwritten digits, resized to 28×28 and scaled to
  [0, 1]; ships with scikit-learn, so it is there offline.
- ``random``: seed 000's random images with random labels; nothing to learn from.
- ``fashion_mnist`` and ``cifar10``: downloaded by ``keras.datasets`` on first use and
  cached under ``data/cache`` with the SHA-256 of the cached file. A cache file whose
  hash no longer matches is deleted, never loaded. Offline or in fast mode with no cache,
  or when the download fails, one message is printed and the digits are returned instead.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from . import config

SPLIT_SEED = 0  # the train/validation/test split is the same in every run and notebook

CLASS_NAMES = {
    "digits": [str(digit) for digit in range(10)],
    "random": [f"class {index}" for index in range(10)],
    "fashion_mnist": [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ],
    "cifar10": [
        "airplane", "automobile", "bird", "cat", "deer",
        "dog", "frog", "horse", "ship", "truck",
    ],
}
DATASETS = tuple(CLASS_NAMES)
DOWNLOADED = ("fashion_mnist", "cifar10")


@dataclass
class Dataset:
    """Train, validation and test splits with their class names.

    Images are float32 arrays of shape (N, height, width, channels); labels are integer
    class indices. ``source`` says where the data came from, fallbacks included.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]
    source: str = field(default="")

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    def one_hot(self, labels: np.ndarray) -> np.ndarray:
        """Labels as one-hot rows, for ``categorical_crossentropy`` as in the articles."""
        return np.eye(self.num_classes, dtype="float32")[np.asarray(labels, dtype=int)]

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: {len(self.x_train)} train / {len(self.x_val)} validation / "
            f"{len(self.x_test)} test images of shape {self.input_shape}, "
            f"{self.num_classes} classes; {self.source})"
        )


def load_dataset(name: str, *, image_size: int | None = None, channels: int | None = None,
                 max_train: int | None = None) -> Dataset:
    """Loads a data set by name: ``digits``, ``random``, ``fashion_mnist`` or ``cifar10``.

    Args:
        name: the data set.
        image_size: side of the square images for ``digits`` (28 by default).
        channels: 1 (grey) or 3 (the grey image repeated) for ``digits``.
        max_train: at most this many training images from a downloaded data set, to
            fit small machines (by default 1,000 in fast mode, 10,000 otherwise).
    """
    if name == "digits":
        return digits(image_size or 28, channels or 1)
    if name == "random":
        return random_data()
    if name in DOWNLOADED:
        return _downloaded(name, max_train or config.by_mode(fast=1000, default=10000))
    raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")


def digits(image_size: int = 28, channels: int = 1) -> Dataset:
    """scikit-learn's digits, resized from 8×8 to ``image_size`` and scaled to [0, 1]."""
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    bunch = load_digits()
    zoom = image_size / 8
    images = ndimage.zoom(bunch.images / 16.0, (1, zoom, zoom), order=1).clip(0, 1)
    images = np.repeat(images[..., None], channels, axis=-1).astype("float32")
    splits = _split(images, bunch.target, n_val=360, n_test=360)
    return Dataset("digits", *splits, class_names=CLASS_NAMES["digits"],
                   source="scikit-learn digits (ships offline)")


def random_images(num_samples: int, shape=(28, 28, 3), num_classes: int = 10, seed: int = 0):
    """Seed 000's data: uniform random pixels in [0, 1) and uniform random labels."""
    rng = np.random.default_rng(seed)
    images = rng.random((num_samples, *shape), dtype=np.float32)
    labels = rng.integers(0, num_classes, num_samples)
    return images, labels


def random_data(num_samples: int = 1000, held_out: int = 200) -> Dataset:
    """Random images and labels, with separately drawn validation and test sets."""
    train = random_images(num_samples, seed=1)
    val = random_images(held_out, seed=2)
    test = random_images(held_out, seed=3)
    return Dataset("random", *train, *val, *test, class_names=CLASS_NAMES["random"],
                   source="random pixels and labels (seed 000)")


def _split(images, labels, *, n_val: int, n_test: int):
    x_rest, x_test, y_rest, y_test = train_test_split(
        images, labels, test_size=n_test, stratify=labels, random_state=SPLIT_SEED)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=n_val, stratify=y_rest, random_state=SPLIT_SEED)
    return x_train, y_train, x_val, y_val, x_test, y_test


# --- downloaded data sets and their verified cache ---------------------------------

def cache_path(name: str) -> Path:
    """Where the arrays of a downloaded data set are cached."""
    return config.data_dir() / "cache" / f"{name}.npz"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_cached(name: str) -> bool:
    """True if a cache file exists for ``name`` (it is verified when loaded)."""
    return cache_path(name).exists()


def read_cache(name: str) -> dict[str, np.ndarray] | None:
    """The cached arrays, or ``None`` if there is no cache or it fails its SHA-256 check.

    A cache that fails the check is deleted, with a message, so that it is downloaded again.
    """
    path = cache_path(name)
    if not path.exists():
        return None
    digest_path = path.with_suffix(".sha256")
    recorded = digest_path.read_text().strip() if digest_path.exists() else "(none recorded)"
    if file_sha256(path) != recorded:
        path.unlink()
        digest_path.unlink(missing_ok=True)
        print(f"The cached {name} at {path} is damaged (its SHA-256 differs from the one "
              "recorded when it was saved). It was deleted and will be downloaded again.")
        return None
    with np.load(path) as arrays:
        return {key: arrays[key] for key in arrays.files}


def write_cache(name: str, arrays: dict[str, np.ndarray]) -> Path:
    """Saves arrays to the cache, then records the file's SHA-256 beside it."""
    path = cache_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as stream:
        np.savez(stream, **arrays)
    os.replace(partial, path)
    path.with_suffix(".sha256").write_text(file_sha256(path) + "\n")
    return path


def _download(name: str) -> dict[str, np.ndarray]:
    import keras

    loader = {"fashion_mnist": keras.datasets.fashion_mnist, "cifar10": keras.datasets.cifar10}[name]
    (x_train, y_train), (x_test, y_test) = loader.load_data()
    return {"x_train": x_train, "y_train": y_train.ravel(), "x_test": x_test, "y_test": y_test.ravel()}


def _downloaded(name: str, max_train: int) -> Dataset:
    arrays = read_cache(name)
    if arrays is None:
        fallback = digits(*((32, 3) if name == "cifar10" else (28, 1)))
        if config.is_fast():
            return _fall_back(name, fallback, "fast mode uses offline data and there is no cached copy")
        if not config.is_online():
            return _fall_back(name, fallback, "there is no network and no cached copy")
        try:
            arrays = _download(name)
        except Exception as error:  # noqa: BLE001 - any failed download falls back the same way
            return _fall_back(name, fallback, (
                f"the download failed ({type(error).__name__}: {error}); if a partial download is "
                f"the cause, delete it from {keras_download_dir()} and try again"))
        try:
            write_cache(name, arrays)
        except OSError as error:
            print(f"{name} loaded but could not be cached under {cache_path(name).parent} ({error}).")
    return _from_arrays(name, arrays, max_train)


def keras_download_dir() -> Path:
    """Where ``keras.datasets`` keeps its own downloads (``$KERAS_HOME/datasets``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def _fall_back(name: str, fallback: Dataset, reason: str) -> Dataset:
    print(f"{name} is not available: {reason}. Using the digits data set instead "
          f"({fallback.num_classes} classes, images {fallback.input_shape}). "
          f"Run once with a network connection to cache {name} under {cache_path(name).parent}.")
    fallback.source = f"scikit-learn digits, standing in for {name} ({reason})"
    return fallback


def _from_arrays(name: str, arrays: dict[str, np.ndarray], max_train: int) -> Dataset:
    x, y = arrays["x_train"], arrays["y_train"]
    n_val = n_test = max(max_train // 5, len(CLASS_NAMES[name]))
    keep = min(len(x), max_train + n_val)
    if keep < len(x):
        _, x, _, y = train_test_split(x, y, test_size=keep, stratify=y, random_state=SPLIT_SEED)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=n_val, stratify=y, random_state=SPLIT_SEED)
    x_test, y_test = arrays["x_test"][:n_test], arrays["y_test"][:n_test]

    def scaled(images):
        images = images.astype("float32") / 255.0
        return images[..., None] if images.ndim == 3 else images

    return Dataset(name, scaled(x_train), y_train.astype(int), scaled(x_val), y_val.astype(int),
                   scaled(x_test), y_test.astype(int), class_names=CLASS_NAMES[name],
                   source=f"keras.datasets.{name}, cached at {cache_path(name)}")
