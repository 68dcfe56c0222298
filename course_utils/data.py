"""Data sets for the course, all returned as one :class:`Dataset`.

- ``digits``: scikit-learn's 8×8 handwritten digits, resized to 28×28 and scaled to
  [0, 1]; ships with scikit-learn, so it is there offline.
- ``random``: *Stuck at 2.302*'s random images with random labels; nothing to learn from.
- ``fashion_mnist`` and ``cifar10``: the official archives, downloaded on first use by
  ``keras.utils.get_file`` into a folder of this process's own, checked against the SHA-256 pinned
  in ``ARCHIVES`` and moved into Keras's download folder in one step; each archive is checked again
  as it is read, from the same open file. Both are raw bytes (CIFAR-10's binary version, not its
  pickles): nothing downloaded is ever unpickled. The arrays are then cached under ``data/cache`` in
  one file that carries their SHA-256, written under a temporary name, checked, and moved into
  place in one step, so that a reader never sees half a cache. A cache whose arrays no longer
  match their SHA-256, or that is not a cache at all, is deleted, never loaded. Offline or in fast
  mode with no cache, or when the download fails, one line says why and the digits are returned
  instead.

Every data set comes at the size and number of channels asked for (``image_size``, ``channels``).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from . import config, network

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
SHAPES = {"digits": (28, 1), "random": (28, 3), "fashion_mnist": (28, 1), "cifar10": (32, 3)}  # side, channels

# The official archives, each with the SHA-256 that get_file checks the download against, and
# where to get it, tried in order. Fashion-MNIST: the four files Zalando Research publishes (the
# digests TensorFlow Datasets pins for them); Keras's copy first, Zalando's server next (plain
# HTTP, which the digest makes safe). CIFAR-10: the binary archive (raw bytes, where the Python
# archive holds pickles), with the digest TensorFlow Datasets pins for it
# (tensorflow_datasets/url_checksums/cifar10.txt: 170,052,171 bytes).
FASHION_MIRRORS = ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
                   "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")
ARCHIVES = {
    "fashion_mnist": {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    },
    "cifar10": {
        "cifar-10-binary.tar.gz": "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
    },
}
MIRRORS = {"fashion_mnist": FASHION_MIRRORS, "cifar10": ("https://www.cs.toronto.edu/~kriz/",)}
DOWNLOAD_SUBDIRS = {"fashion_mnist": "fashion-mnist", "cifar10": "."}  # under keras_download_dir()


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
        image_size: the side of the square images; by default the data set's own (28, or 32 for
            ``cifar10``). Other sizes are resized with linear interpolation.
        channels: 1 (grey) or 3 (colour); by default the data set's own (3 for ``random`` and
            ``cifar10``, else 1). Grey images are repeated into three channels; colour images
            become grey by their luma (ITU-R BT.601 weights).
        max_train: at most this many training images from a downloaded data set, to
            fit small machines (by default 1,000 in fast mode, 10,000 otherwise).
    """
    if name not in DATASETS:
        raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    if image_size is not None and (isinstance(image_size, bool) or not isinstance(image_size, int)
                                   or image_size < 1):
        raise ValueError(f"image_size must be a whole number of pixels, at least 1; got {image_size!r}")
    if channels is not None and channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    native_size, native_channels = SHAPES[name]
    size, channels = image_size or native_size, channels or native_channels
    if name == "digits":
        return digits(size, channels)
    if name == "random":
        return random_data(shape=(size, size, channels))
    return _downloaded(name, max_train or config.by_mode(fast=1000, default=10000), size, channels)


def digits(image_size: int = 28, channels: int = 1) -> Dataset:
    """scikit-learn's digits, resized from 8×8 to ``image_size`` and scaled to [0, 1]."""
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")
    bunch = load_digits()
    images = reshaped((bunch.images / 16.0)[..., None], image_size, channels).clip(0, 1)
    splits = _split(images, bunch.target, n_val=360, n_test=360)
    return Dataset("digits", *splits, class_names=CLASS_NAMES["digits"],
                   source="scikit-learn digits (ships offline)")


def reshaped(images: np.ndarray, image_size: int, channels: int) -> np.ndarray:
    """Images ``(N, height, width, c)`` as float32 ``(N, image_size, image_size, channels)``."""
    if images.shape[1:3] != (image_size, image_size):
        zoom = (1, image_size / images.shape[1], image_size / images.shape[2], 1)
        images = ndimage.zoom(images, zoom, order=1)
    if images.shape[-1] == 3 and channels == 1:
        images = images @ np.array([[0.299], [0.587], [0.114]], dtype=images.dtype)
    elif images.shape[-1] == 1 and channels == 3:
        images = np.repeat(images, 3, axis=-1)
    return images.astype("float32")


def random_images(num_samples: int, shape=(28, 28, 3), num_classes: int = 10, seed: int = 0):
    """*Stuck at 2.302*'s data: uniform random pixels in [0, 1) and uniform random labels."""
    rng = np.random.default_rng(seed)
    images = rng.random((num_samples, *shape), dtype=np.float32)
    labels = rng.integers(0, num_classes, num_samples)
    return images, labels


def random_data(num_samples: int = 1000, held_out: int = 200, shape=(28, 28, 3)) -> Dataset:
    """Random images and labels, with separately drawn validation and test sets."""
    train = random_images(num_samples, shape, seed=1)
    val = random_images(held_out, shape, seed=2)
    test = random_images(held_out, shape, seed=3)
    return Dataset("random", *train, *val, *test, class_names=CLASS_NAMES["random"],
                   source="random pixels and labels (Stuck at 2.302)")


def _split(images, labels, *, n_val: int, n_test: int):
    x_rest, x_test, y_rest, y_test = train_test_split(
        images, labels, test_size=n_test, stratify=labels, random_state=SPLIT_SEED)
    x_train, x_val, y_train, y_val = train_test_split(
        x_rest, y_rest, test_size=n_val, stratify=y_rest, random_state=SPLIT_SEED)
    return x_train, y_train, x_val, y_val, x_test, y_test


# --- downloaded data sets and their verified cache ---------------------------------

DIGEST_KEY = "__sha256__"  # the entry of the cache file that holds the SHA-256 of the arrays


def cache_path(name: str) -> Path:
    """Where the arrays of a downloaded data set are cached."""
    return config.data_dir() / "cache" / f"{name}.npz"


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """The SHA-256 of arrays: their names, types, shapes and values."""
    digest = hashlib.sha256()
    for key in sorted(arrays):
        array = np.ascontiguousarray(arrays[key])
        digest.update(f"{key}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.data)
    return digest.hexdigest()


def is_cached(name: str) -> bool:
    """True if a cache file exists for ``name`` (it is verified when loaded)."""
    return cache_path(name).exists()


def read_cache(name: str, *, _retry: bool = True) -> dict[str, np.ndarray] | None:
    """The cached arrays, or ``None`` if there is no cache or it fails its SHA-256 check.

    A cache that fails the check (damaged, altered, cut short, or not a cache at all) is deleted,
    with a message, so that it is downloaded again; only the file that failed is deleted, never one
    that another process saved meanwhile. A cache that cannot be read at all (no permission) is
    explained and left alone.
    """
    path = cache_path(name)
    try:
        stream = open(path, "rb")
    except (FileNotFoundError, NotADirectoryError):  # no cache (or no cache folder: a file has its name)
        return None
    except OSError as error:
        print(f"The cached {name} at {path} cannot be read ({network.short_error(error)}); it is not used.")
        return None
    with stream:
        identity = _identity(os.fstat(stream.fileno()))
        try:
            with np.load(stream, allow_pickle=False) as archive:
                arrays = {key: archive[key] for key in archive.files}
            recorded = str(arrays.pop(DIGEST_KEY, "(none recorded)"))
            intact = arrays_sha256(arrays) == recorded
        except Exception:  # noqa: BLE001 - a file that cannot be read whole is damaged, whatever the error
            intact = False
    if intact:
        return arrays
    try:
        if _identity(os.stat(path)) != identity:  # another process saved a new cache meanwhile
            return read_cache(name, _retry=False) if _retry else None
        path.unlink()
    except FileNotFoundError:
        return None
    except OSError as error:
        print(f"The cached {name} at {path} is damaged and cannot be deleted ({network.short_error(error)}); "
              "it is not used.")
        return None
    print(f"The cached {name} at {path} is damaged (its arrays differ from the SHA-256 recorded "
          "when it was saved) or was saved by an older version of the course. It was deleted "
          "and will be downloaded again.")
    return None


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


class DamagedFileError(OSError):
    """A file whose content differs from the SHA-256 it must have."""


def write_cache(name: str, arrays: dict[str, np.ndarray]) -> Path:
    """Saves arrays and their SHA-256 in one cache file, atomically.

    The file is written under a temporary name of its own, read back and checked against the
    SHA-256, and only then moved over the cache in one step (``os.replace``), so a reader finds the
    old cache or the new one, each complete with its digest, and two writers never write into the
    same file. A failed write (a full disk, a folder that cannot be written) raises ``OSError`` and
    leaves no temporary file and the old cache as it was.
    """
    path = cache_path(name)
    digest = arrays_sha256(arrays)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays, **{DIGEST_KEY: np.array(digest)})
            stream.flush()
            os.fsync(stream.fileno())
        with np.load(partial, allow_pickle=False) as archive:
            written = {key: archive[key] for key in archive.files if key != DIGEST_KEY}
            if str(archive[DIGEST_KEY]) != digest or arrays_sha256(written) != digest:
                raise DamagedFileError(f"the cache written at {partial} differs from the arrays saved")
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return path


def keras_download_dir() -> Path:
    """Where ``keras.utils.get_file`` keeps downloads (``$KERAS_HOME/datasets``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"


def file_sha256(stream) -> str:
    """The SHA-256 of an open binary file, read from its start in 1 MB blocks."""
    digest = hashlib.sha256()
    stream.seek(0)
    for block in iter(lambda: stream.read(1 << 20), b""):
        digest.update(block)
    stream.seek(0)
    return digest.hexdigest()


def open_verified(path: Path, sha256: str):
    """``path`` opened for reading after checking its SHA-256 from that same open file, so what is
    read is what was checked (the course's writers replace files, never write into them). Raises
    ``DamagedFileError`` on a mismatch."""
    stream = open(path, "rb")
    if file_sha256(stream) != sha256:
        stream.close()
        raise DamagedFileError(f"{Path(path).name} differs from its pinned SHA-256 (damaged or altered)")
    return stream


def fetch_archive(name: str, filename: str) -> Path:
    """One official archive of ``name`` in Keras's download folder, checked against its pinned
    SHA-256: the one there already if it passes, else downloaded (each mirror in turn) by
    ``keras.utils.get_file`` into a temporary folder of this process's own, checked, then moved into
    place in one step. Two kernels downloading at once never write into the same file, and a kernel
    stopped mid-download leaves no file behind under the archive's name."""
    import keras

    folder = keras_download_dir() / DOWNLOAD_SUBDIRS[name]
    target, pinned = folder / filename, ARCHIVES[name][filename]
    try:
        with open_verified(target, pinned):
            return target
    except (FileNotFoundError, DamagedFileError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    private = tempfile.mkdtemp(dir=folder, prefix=f".{filename}.", suffix=".partial")
    try:
        error: Exception | None = None
        for mirror in MIRRORS[name]:
            try:
                downloaded = Path(keras.utils.get_file(filename, origin=mirror + filename, file_hash=pinned,
                                                       hash_algorithm="sha256", cache_dir=private, cache_subdir="."))
                break
            except Exception as failure:  # noqa: BLE001 - the next mirror may work; the last error is raised
                error = failure
        else:
            raise error
        with open_verified(downloaded, pinned):
            os.replace(downloaded, target)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return target


def _download(name: str) -> dict[str, np.ndarray]:
    paths = {filename: fetch_archive(name, filename) for filename in ARCHIVES[name]}
    return _read_fashion_mnist(paths) if name == "fashion_mnist" else _read_cifar10(paths["cifar-10-binary.tar.gz"])


def _read_fashion_mnist(paths: dict[str, Path]) -> dict[str, np.ndarray]:
    def read(filename, offset):
        with open_verified(paths[filename], ARCHIVES["fashion_mnist"][filename]) as raw, \
                gzip.open(raw, "rb") as stream:
            return np.frombuffer(stream.read(), np.uint8, offset=offset)

    arrays = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        labels = read(f"{prefix}-labels-idx1-ubyte.gz", 8)
        arrays[f"x_{split}"] = read(f"{prefix}-images-idx3-ubyte.gz", 16).reshape(len(labels), 28, 28)
        arrays[f"y_{split}"] = labels
    return arrays


CIFAR_RECORD = 1 + 3 * 32 * 32  # the binary version: per image, its label byte then red, green and blue planes


def _read_cifar10(path: Path) -> dict[str, np.ndarray]:
    def batches(names):
        records = []
        for member in names:
            with archive.extractfile(f"cifar-10-batches-bin/{member}") as stream:
                records.append(np.frombuffer(stream.read(), np.uint8).reshape(-1, CIFAR_RECORD))
        records = np.concatenate(records)
        return records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), records[:, 0].copy()

    with open_verified(path, ARCHIVES["cifar10"]["cifar-10-binary.tar.gz"]) as raw, \
            tarfile.open(fileobj=raw, mode="r:gz") as archive:
        x_train, y_train = batches([f"data_batch_{index}.bin" for index in range(1, 6)])
        x_test, y_test = batches(["test_batch.bin"])
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _downloaded(name: str, max_train: int, image_size: int, channels: int) -> Dataset:
    arrays = read_cache(name)
    if arrays is None:
        fallback = digits(image_size, channels)
        if config.is_fast():
            return _fall_back(name, fallback, "fast mode uses offline data and there is no cached copy")
        if not config.is_online():
            return _fall_back(name, fallback, "there is no network and no cached copy")
        try:
            arrays = _download(name)
        except Exception as error:  # noqa: BLE001 - any failed download falls back the same way
            return _fall_back(name, fallback, (
                f"the download failed ({network.short_error(error)}); the files downloaded so far "
                f"are in {keras_download_dir()}"))
        try:
            write_cache(name, arrays)
        except OSError as error:
            print(f"{name} loaded but could not be cached under {cache_path(name).parent} "
                  f"({network.short_error(error)}); it will be downloaded again next time.")
    return _from_arrays(name, arrays, max_train, image_size, channels)


def _fall_back(name: str, fallback: Dataset, reason: str) -> Dataset:
    print(f"{name} is not available: {reason}. Using the digits data set instead "
          f"({fallback.num_classes} classes, images {fallback.input_shape}). "
          f"Run once with a network connection to cache {name} under {cache_path(name).parent}.")
    fallback.source = f"scikit-learn digits, standing in for {name} ({reason})"
    return fallback


def _from_arrays(name: str, arrays: dict[str, np.ndarray], max_train: int,
                 image_size: int | None = None, channels: int | None = None) -> Dataset:
    native_size, native_channels = SHAPES[name]
    x, y = arrays["x_train"], arrays["y_train"].ravel()
    n_val = n_test = max(max_train // 5, len(CLASS_NAMES[name]))
    keep = min(len(x), max_train + n_val)
    if keep < len(x):
        _, x, _, y = train_test_split(x, y, test_size=keep, stratify=y, random_state=SPLIT_SEED)
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=n_val, stratify=y, random_state=SPLIT_SEED)
    x_test, y_test = arrays["x_test"][:n_test], arrays["y_test"].ravel()[:n_test]

    def scaled(images):
        images = images[..., None] if images.ndim == 3 else images
        return reshaped(images / np.float32(255.0), image_size or native_size, channels or native_channels)

    return Dataset(name, scaled(x_train), y_train.astype(int), scaled(x_val), y_val.astype(int),
                   scaled(x_test), y_test.astype(int), class_names=CLASS_NAMES[name],
                   source=f"{name}, official archives, cached at {cache_path(name)}")
