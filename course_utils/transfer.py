"""Transfer learning plumbing for notebook 06: bases to start from, and their features.

- ``resnet50_base``: Keras's ResNet50 without its top, with ImageNet weights when they can be
  had (downloaded, or already in Keras's cache). Without them it prints one line saying why and
  returns ``None``; the notebook then runs the same steps on the offline backbone. Never a traceback.
- ``offline_backbone``: a small CNN the course pretrained on digits 0–4, saved in ``data/`` by
  ``scripts/pretrain_backbone.py``. Its SHA-256 is checked before it is loaded; a damaged or
  altered file is never loaded (a fresh backbone is pretrained instead, with a message).
- ``frozen_features``: a frozen base's outputs for a set of images, computed once, so that a head
  trained on them costs a small dense layer per step instead of the whole base.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from . import config, network


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

# --- ResNet50 and its ImageNet weights ----------------------------------------------

RESNET50_NOTOP = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"  # Keras's file name for include_top=False



def keras_models_dir() -> Path:
    """Where Keras caches downloaded weights (``$KERAS_HOME/models``, by default ``~/.keras/models``)."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def imagenet_weights_cached() -> bool:
    """True when ResNet50's ImageNet weights (without the top) are already in Keras's cache."""
    return (keras_models_dir() / RESNET50_NOTOP).exists()


def resnet50_base(input_shape=(224, 224, 3), weights="imagenet"):
    """``ResNet50(weights=weights, include_top=False, input_shape=input_shape)``, or ``None``.

    ``weights`` is what Keras's ``ResNet50`` accepts: ``"imagenet"`` (downloaded once, then read
    from Keras's cache), a path to a weights file, or ``None`` for random weights. When ImageNet
    weights cannot be had or are not wanted (fast mode, no network, a failed download or load),
    one line says why and the result is ``None``.
    """
    import keras

    if weights == "imagenet":
        reason = None
        if config.is_fast():
            reason = "fast mode keeps to the offline backbone"
        elif not imagenet_weights_cached() and not config.is_online():
            reason = "there is no network and no cached copy"
        if reason:
            print(f"ImageNet weights for ResNet50 are not available ({reason}): "
                  "the same steps run on the course's offline backbone instead.")
            return None
    try:
        return keras.applications.ResNet50(weights=weights, include_top=False, input_shape=tuple(input_shape))
    except Exception as problem:  # noqa: BLE001 - any failure to get the weights falls back the same way
        print(f"ResNet50 weights could not be loaded ({network.short_error(problem)}): "
              "the same steps run on the course's offline backbone instead.")
        keras.backend.clear_session()
        return None


def block_of(layer_name: str) -> str:
    """The ResNet50 block a layer belongs to: ``"conv5_block3_2_bn"`` → ``"conv5_block3"``."""
    parts = layer_name.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 and parts[1].startswith("block") else layer_name


def count_params(weights) -> int:
    """The number of values in a list of weights (``model.trainable_weights``, for example)."""
    return int(sum(math.prod(weight.shape) for weight in weights))


# --- the offline backbone -----------------------------------------------------------

REPO_DATA = config.PACKAGE_DIR.parent / "data"
BACKBONE_FILE = "backbone_digits0to4.keras"
BACKBONE_PATH = REPO_DATA / BACKBONE_FILE
BACKBONE_SHA256 = "bbc400338a45be8721d73a2949649ae866ddb00c4f64825052d54f2e1e179cd6"  # the committed file's digest, also in data/README.md
SOURCE_CLASSES, TARGET_CLASSES = (0, 1, 2, 3, 4), (5, 6, 7, 8, 9)
MIN_SOURCE_ACCURACY = 0.9  # a backbone that passes: at least this accuracy on held-out digits 0–4


class BackboneDigestError(ValueError):
    """The backbone file's SHA-256 differs from the one recorded for it."""


def build_backbone(input_shape=(28, 28, 1), widths=(16, 32, 64, 64)):
    """The small CNN the course pretrains: ``[Conv2D → BatchNorm → ReLU]`` per width, a 2×2 max
    pooling after each of the first two blocks, then global average pooling (one feature per filter)."""
    import keras
    from keras import layers

    model = keras.Sequential(name="backbone")
    model.add(keras.Input(shape=tuple(input_shape)))
    for index, width in enumerate(widths, start=1):
        model.add(layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{index}_conv"))
        model.add(layers.BatchNormalization(momentum=0.9, name=f"block{index}_bn"))  # ours: 0.99 lags on 17 steps per epoch
        model.add(layers.ReLU(name=f"block{index}_relu"))
        if index <= 2:
            model.add(layers.MaxPooling2D(name=f"block{index}_pool"))
    model.add(layers.GlobalAveragePooling2D(name="features"))
    return model


def split_classes(x, y, classes):
    """The images of ``classes`` only, labelled 0, 1, … in the order of ``classes``."""
    keep = np.isin(y, classes)
    relabel = {label: index for index, label in enumerate(classes)}
    return x[keep], np.array([relabel[label] for label in y[keep]])


def few_labels(x, y, per_class: int, seed: int):
    """``per_class`` images of each class, drawn with ``seed`` (all of a class if it has fewer)."""
    rng = np.random.default_rng(seed)
    chosen = [rng.permutation(np.flatnonzero(y == label))[:per_class] for label in np.unique(y)]
    chosen = rng.permutation(np.concatenate(chosen))
    return x[chosen], y[chosen]


def source_task(digits):
    """Digits 0–4 of the course's digits: (x_train, y_train, x_val, y_val)."""
    return (*split_classes(digits.x_train, digits.y_train, SOURCE_CLASSES),
            *split_classes(digits.x_val, digits.y_val, SOURCE_CLASSES))


def pretrain_backbone(out_path: Path, *, epochs: int = 15, seed: int = 0, log=print) -> dict:
    """Pretrains the backbone with a 5-way head on digits 0–4, saves it at ``out_path`` (``.keras``)
    with its SHA-256 beside it (``.sha256``) and a training log (``.log.json``); returns the log."""
    import keras
    from keras import layers

    from .data import load_dataset

    out_path = Path(out_path)
    digits = load_dataset("digits")
    x_train, y_train, x_val, y_val = source_task(digits)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    backbone = build_backbone(digits.input_shape)
    model = keras.Sequential([keras.Input(shape=digits.input_shape), backbone,
                              layers.Dense(len(SOURCE_CLASSES), activation="softmax", name="source_head")],
                             name="digits0to4")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs, batch_size=32,
                        verbose=0).history
    seconds = time.perf_counter() - started
    for epoch in range(epochs):
        log(f"epoch {epoch + 1:3d}/{epochs}: loss {history['loss'][epoch]:.4f} "
            f"accuracy {history['accuracy'][epoch]:.3f} · val_loss {history['val_loss'][epoch]:.4f} "
            f"val_accuracy {history['val_accuracy'][epoch]:.3f}")
    digest = _save_atomically(model, Path(out_path))
    record = {
        "file": out_path.name, "sha256": digest, "bytes": out_path.stat().st_size,
        "source task": "digits 0-4 of scikit-learn's digits at 28x28 (course split: training part for "
                       "training, validation part for the accuracy below)",
        "training images": int(len(x_train)), "validation images": int(len(x_val)),
        "epochs": epochs, "seed": seed, "batch size": 32, "optimizer": "Adam, learning rate 1e-3",
        "seconds": round(seconds, 1), "keras": keras.__version__,
        "final val_accuracy": round(float(history["val_accuracy"][-1]), 4),
        "history": {key: [round(float(value), 5) for value in values] for key, values in history.items()},
    }
    out_path.with_suffix(".log.json").write_text(json.dumps(record, indent=1) + "\n")
    return record


def _save_atomically(model, out_path: Path) -> str:
    """Saves ``model`` at ``out_path`` with its SHA-256 beside it, each written under a temporary name
    of this process's own and moved into place in one step; returns the digest. Two kernels saving at
    once never write into the same file; a reader meets a complete file, old or new (between the two
    moves the digest and the file may disagree: the reader then finds it damaged, never loads it)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(f".{out_path.stem}.{os.getpid()}.{time.monotonic_ns()}.partial.keras")
    partial_digest = partial.with_suffix(".sha256")
    try:
        model.save(partial)
        digest = file_sha256(partial)
        partial_digest.write_text(digest + "\n")
        os.replace(partial_digest, out_path.with_suffix(".sha256"))
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
        partial_digest.unlink(missing_ok=True)
    return digest


def load_backbone(path: Path = BACKBONE_PATH, sha256: str | None = None):
    """Loads a pretrained source model after checking its SHA-256.

    The digest expected is ``sha256`` if given; else, for the committed file, ``BACKBONE_SHA256``;
    else the ``.sha256`` file written beside it. The bytes checked are the bytes loaded: the file
    is read once, checked, and loaded from a private copy of those bytes (Keras's safe mode, no
    code in the file is run). Raises ``BackboneDigestError`` on a mismatch (a damaged, cut short,
    altered or foreign file) and ``FileNotFoundError`` when the file (or, for another file, its
    digest) is missing.
    """
    import keras

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no backbone at {path}")
    if sha256 is None:
        if path.resolve() == BACKBONE_PATH.resolve():
            sha256 = BACKBONE_SHA256
        else:
            sha256 = path.with_suffix(".sha256").read_text().strip()
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise BackboneDigestError(f"{path.name} is damaged or altered: its SHA-256 is {actual[:12]}…, "
                                  f"expected {sha256[:12]}…")
    with tempfile.TemporaryDirectory(prefix="course-backbone-") as folder:
        checked = Path(folder) / BACKBONE_FILE
        checked.write_bytes(content)
        return keras.saving.load_model(checked, compile=False, safe_mode=True)


def offline_backbone(path: Path = BACKBONE_PATH, *, epochs: int = 15):
    """The pretrained source model (backbone + 5-way head), checked; if the file is missing or fails
    its check, one line says so and a fresh one is pretrained into the cache (about a minute), or,
    when the cache cannot be written (no permission, a full disk), into a temporary folder."""
    try:
        return load_backbone(path)
    except (OSError, BackboneDigestError) as problem:
        fresh = config.data_dir() / "cache" / BACKBONE_FILE
        print(f"The course's backbone cannot be used ({problem}); pretraining a fresh one on digits 0–4 "
              f"into {fresh} (rerun scripts/pretrain_backbone.py to restore the file).")
    if _loads(fresh):
        return load_backbone(fresh)
    try:
        pretrain_backbone(fresh, epochs=epochs, log=lambda line: None)
        return load_backbone(fresh)
    except OSError as problem:
        print(f"The fresh backbone could not be saved in {fresh.parent} ({network.short_error(problem)}); "
              "it is pretrained again in a temporary folder, for this session only.")
    with tempfile.TemporaryDirectory(prefix="course-backbone-") as folder:
        temporary = Path(folder) / BACKBONE_FILE
        pretrain_backbone(temporary, epochs=epochs, log=lambda line: None)
        return load_backbone(temporary)


def _loads(path: Path) -> bool:
    try:
        load_backbone(path)
    except (OSError, BackboneDigestError, ValueError):
        return False
    return True


def source_accuracy(source_model, digits) -> float:
    """The source model's accuracy on the held-out digits 0–4 (the validation part of the split)."""
    _, _, x_val, y_val = source_task(digits)
    predictions = source_model.predict(x_val, verbose=0).argmax(axis=1)
    return float((predictions == y_val).mean())


def check_backbone(source_model, digits) -> dict:
    """The checks a backbone must pass before the notebook uses it: a ``backbone`` part that takes the
    digits' images and ends in one feature per filter, BatchNorm layers inside it, and an accuracy on
    held-out digits 0–4 of at least ``MIN_SOURCE_ACCURACY``. Returns what was measured, ``ok`` included."""
    backbone = source_model.get_layer("backbone")
    batch_norms = [layer.name for layer in backbone.layers if "BatchNormalization" in type(layer).__name__]
    accuracy = source_accuracy(source_model, digits)
    facts = {"input shape": tuple(backbone.input_shape[1:]), "features": int(backbone.output_shape[-1]),
             "layers": len(backbone.layers), "batch norm layers": len(batch_norms),
             "held-out accuracy on digits 0-4": round(accuracy, 3)}
    facts["ok"] = (facts["input shape"] == tuple(digits.input_shape) and len(backbone.output_shape) == 2
                   and bool(batch_norms) and accuracy >= MIN_SOURCE_ACCURACY)
    return facts


# --- features of a frozen base ------------------------------------------------------

def frozen_features(base, images, batch_size: int = 128) -> np.ndarray:
    """The base's outputs for ``images`` in inference mode, computed once; pooled to one vector per
    image when the base ends in a feature map (ResNet50 without its top)."""
    features = base.predict(images, batch_size=batch_size, verbose=0)
    return features.reshape(len(features), -1, features.shape[-1]).mean(axis=1) if features.ndim == 4 else features
