"""The clinic's patients: training set-ups that do not train well, each for a reason the course treats.

Each patient is a set-up function whose keyword arguments all have defaults that look reasonable;
what is wrong shows only in the measurements: the curves, the loss doctor, the probes, a look at
the data. ``patient.visit(seed)`` trains the set-up as it comes, ``patient.visit(seed, **changes)``
with the learner's changes, and returns a :class:`Visit` with the history and the accuracy on the
held-out test images. A fixed set-up reaches the patient's ``target`` there.

All patients learn scikit-learn's 8×8 digits, upscaled to 16×16 (nothing is lost, and the clinic
stays quick), from 500 training images; the validation images give the curves, the 360 test
images the held-out accuracy that decides whether a fix worked.

Read this file after diagnosing, not before: the set-up functions name their causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Mapping

import keras
import numpy as np
from keras import layers

from course_utils import config, loss_doctor
from course_utils.data import digits

IMAGE_SIZE = 16
N_TRAIN = 500
BATCH_SIZE = 32
TARGET = 0.75  # held-out test accuracy a treated patient reaches; an untreated one stays below

# --- causes, and the notebooks that treat them --------------------------------------------------
INITIALIZATION = "initialization"
LEARNING_RATE = "learning rate"
NORMALIZATION = "normalization"
AUGMENTATION = "augmentation"
DATA = "data"
CAPACITY = "capacity"
REGULARIZATION = "regularization"
TRANSFER = "transfer learning"
CAUSES = (INITIALIZATION, LEARNING_RATE, NORMALIZATION, AUGMENTATION, DATA, CAPACITY, REGULARIZATION, TRANSFER)

NOTEBOOK_FILES = {
    "00": "00_start_here.ipynb",
    "01": "01_stuck_at_ln10.ipynb",
    "02": "02_weight_initialization.ipynb",
    "03": "03_learning_rate_and_schedules.ipynb",
    "04": "04_normalization_and_augmentation.ipynb",
    "05": "05_capacity_and_regularization.ipynb",
    "06": "06_transfer_learning.ipynb",
}
TREATED_IN = {  # cause → the notebooks that treat it, the main one first
    INITIALIZATION: ("02",),
    LEARNING_RATE: ("03",),
    NORMALIZATION: ("04", "01"),
    AUGMENTATION: ("04",),
    DATA: ("01", "04"),
    CAPACITY: ("05",),
    REGULARIZATION: ("05",),
    TRANSFER: ("06",),
}


def epochs() -> int:
    """Epochs per visit: 6 in fast mode, 10 in the default mode."""
    return config.by_mode(fast=6, default=10)


@lru_cache(maxsize=1)
def _digits():
    return digits(IMAGE_SIZE, 1)


@dataclass
class Setup:
    """A training set-up, ready to train: a compiled model, its data, and how to fit it."""

    model: keras.Model
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    epochs: int
    batch_size: int = BATCH_SIZE


@dataclass
class Visit:
    """One training run of a patient's set-up and what was measured.

    Attributes:
        patient: the patient's key.
        seed: the random seed of the run.
        changes: the set-up arguments changed from their defaults.
        history: per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` and
            ``learning_rate`` (the optimizer's rate at the end of each epoch).
        test_accuracy: accuracy on the held-out test images.
        setup: the set-up that was trained (its model is the trained model).
    """

    patient: str
    seed: int
    changes: dict
    history: dict[str, list[float]]
    test_accuracy: float
    setup: Setup = field(repr=False)

    @property
    def model(self) -> keras.Model:
        return self.setup.model

    def doctor(self) -> list[str]:
        """The loss doctor's symptoms for this run."""
        return loss_doctor.symptoms(self.history, 10)


class _RateLog(keras.callbacks.Callback):
    """Adds the optimizer's current learning rate to each epoch's logs, as ``learning_rate``."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))


def train(setup: Setup, callbacks=()) -> tuple[dict[str, list[float]], float]:
    """Fits a set-up (validation images for the curves) and returns its history and test accuracy.

    The validation and the test images each go through the model in one batch: the same values up to
    rounding, in fewer steps. ``callbacks`` are added to ``fit``'s (a progress bar, say).
    """
    history = setup.model.fit(setup.x_train, setup.y_train, validation_data=(setup.x_val, setup.y_val),
                              validation_batch_size=len(setup.x_val), epochs=setup.epochs,
                              batch_size=setup.batch_size, callbacks=[_RateLog(), *callbacks], verbose=0)
    _, accuracy = setup.model.evaluate(setup.x_test, setup.y_test, batch_size=len(setup.x_test), verbose=0)
    return {key: [float(value) for value in values] for key, values in history.history.items()}, float(accuracy)


# --- the set-ups: every default looks reasonable ----------------------------------------------

def _data(rescale: float = 1.0):
    data = _digits()
    return (data.x_train[:N_TRAIN] * rescale, data.y_train[:N_TRAIN], data.x_val * rescale, data.y_val,
            data.x_test * rescale, data.y_test)


def _augmentation(flip: str | None, rotation: float, shift: float) -> list[layers.Layer]:
    steps = []
    if flip:
        steps.append(layers.RandomFlip(flip))
    if rotation:
        steps.append(layers.RandomRotation(rotation))  # a fraction of a full turn: 0.5 is ±180°
    if shift:
        steps.append(layers.RandomTranslation(shift, shift))
    return steps


def _conv_net(*, depth: int, width: int, initializer, augmentation=(), head: str = "flatten",
              l2: float = 0.0) -> keras.Sequential:
    """``depth`` 3×3 convolutions (the second half twice as wide), a 2×2 pooling after each half,
    then ``head`` ("flatten" or "global average") and a softmax over the 10 digits."""
    regularizer = keras.regularizers.L2(l2) if l2 else None
    model = keras.Sequential([keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)), *augmentation])
    for index in range(depth):
        model.add(layers.Conv2D(width * (2 if index >= depth // 2 else 1), 3, padding="same", activation="relu",
                                kernel_initializer=initializer, kernel_regularizer=regularizer))
        if index in (depth // 2 - 1, depth - 1):
            model.add(layers.MaxPooling2D())
    model.add(layers.GlobalAveragePooling2D() if head == "global average" else layers.Flatten())
    model.add(layers.Dense(10, activation="softmax", kernel_initializer=initializer, kernel_regularizer=regularizer))
    return model


def _compiled(model: keras.Model, optimizer) -> keras.Model:
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def deeper_net(*, seed: int = 0, depth: int = 6, width: int = 8, initializer: str = "random_normal",
               learning_rate: float = 0.01, momentum: float = 0.9, flip: str | None = None,
               rotation: float = 0.0) -> Setup:
    """A deeper plain CNN, trained with SGD and momentum (the classic recipe), Keras's own initializer."""
    config.set_seed(seed)
    model = _conv_net(depth=depth, width=width, initializer=initializer,
                      augmentation=_augmentation(flip, rotation, 0.0))
    return Setup(_compiled(model, keras.optimizers.SGD(learning_rate, momentum=momentum)), *_data(), epochs())


def deeper_net_augmented(*, seed: int = 0, depth: int = 6, width: int = 8, initializer: str = "random_normal",
                         learning_rate: float = 0.01, momentum: float = 0.9,
                         flip: str | None = "horizontal_and_vertical", rotation: float = 0.5) -> Setup:
    """The deeper CNN with augmentation: random flips and rotations, to see more variety."""
    return deeper_net(seed=seed, depth=depth, width=width, initializer=initializer, learning_rate=learning_rate,
                      momentum=momentum, flip=flip, rotation=rotation)


def step_schedule(*, seed: int = 0, learning_rate: float = 0.01, drop_every: int = 10, drop: float = 0.1,
                  momentum: float = 0.9, per_epoch: bool = False) -> Setup:
    """SGD with momentum and the classic step schedule: the rate drops tenfold every ``drop_every``.

    ``ExponentialDecay`` counts ``decay_steps`` in optimizer steps (batches); with ``per_epoch`` the
    drop comes every ``drop_every`` epochs instead.
    """
    config.set_seed(seed)
    steps = drop_every * (int(np.ceil(N_TRAIN / BATCH_SIZE)) if per_epoch else 1)
    schedule = keras.optimizers.schedules.ExponentialDecay(learning_rate, decay_steps=steps, decay_rate=drop,
                                                           staircase=True)
    model = _conv_net(depth=2, width=8, initializer="he_normal")
    return Setup(_compiled(model, keras.optimizers.SGD(schedule, momentum=momentum)), *_data(), epochs())


def scanner_images(*, seed: int = 0, rescale: float = 1.0, learning_rate: float = 0.01,
                   momentum: float = 0.9) -> Setup:
    """The course's CNN with He initialization, on images as the scanner saves them (8-bit grey levels)."""
    config.set_seed(seed)
    x_train, y_train, x_val, y_val, x_test, y_test = _data(rescale=255.0)  # the scanner's 0–255 levels
    model = _conv_net(depth=2, width=8, initializer="he_normal")
    return Setup(_compiled(model, keras.optimizers.SGD(learning_rate, momentum=momentum)),
                 x_train * rescale, y_train, x_val * rescale, y_val, x_test * rescale, y_test, epochs())


def augmented(*, seed: int = 0, flip: str | None = "horizontal_and_vertical", rotation: float = 0.5,
              shift: float = 0.0, learning_rate: float = 0.001) -> Setup:
    """The course's CNN with Adam and augmentation layers: random flips and rotations."""
    config.set_seed(seed)
    model = _conv_net(depth=2, width=8, initializer="he_normal", augmentation=_augmentation(flip, rotation, shift))
    return Setup(_compiled(model, keras.optimizers.Adam(learning_rate)), *_data(), epochs())


def shuffled_loader(*, seed: int = 0, shuffle: bool = True, learning_rate: float = 0.001) -> Setup:
    """The course's CNN with Adam, on training data shuffled by the loader (so batches mix classes)."""
    config.set_seed(seed)
    x_train, y_train, *held_out = _data()
    if shuffle:
        x_train, y_train = x_train.copy(), y_train.copy()
        np.random.shuffle(x_train)  # the bug: images and labels each get their own permutation
        np.random.shuffle(y_train)
    model = _conv_net(depth=2, width=8, initializer="he_normal")
    return Setup(_compiled(model, keras.optimizers.Adam(learning_rate)), x_train, y_train, *held_out, epochs())


def compact_net(*, seed: int = 0, widths: tuple[int, ...] = (8, 16), head: str = "global average",
                learning_rate: float = 0.001) -> Setup:
    """A compact modern CNN: convolutions, then global average pooling instead of a big Flatten."""
    config.set_seed(seed)
    model = keras.Sequential([keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1))])
    for width in widths:
        model.add(layers.Conv2D(width, 3, padding="same", activation="relu", kernel_initializer="he_normal"))
    model.add(layers.GlobalAveragePooling2D() if head == "global average" else layers.Flatten())
    model.add(layers.Dense(10, activation="softmax"))
    return Setup(_compiled(model, keras.optimizers.Adam(learning_rate)), *_data(), epochs())


# --- the patients -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Patient:
    """A set-up that does not train well, why, and the reference fix.

    Attributes:
        key: the patient's name in the clinic, e.g. ``"Ada"``.
        complaint: what its owner says, before any measurement.
        set_up: the set-up function; its keyword arguments are what a learner may change.
        causes: what is wrong, one or more of ``CAUSES``.
        fix: the reference fix, as changes to ``set_up``'s arguments.
        doctor_sees: the loss doctor's symptoms the untreated set-up shows (any of them, per seed).
        target: the held-out test accuracy a treated set-up reaches.
    """

    key: str
    complaint: str
    set_up: Callable[..., Setup]
    causes: tuple[str, ...]
    fix: Mapping[str, object]
    doctor_sees: tuple[str, ...]
    target: float = TARGET

    def admit(self, seed: int = 0, **changes) -> Setup:
        """The set-up, built (and seeded) but not trained; ``changes`` override its defaults."""
        keras.backend.clear_session()  # frees the previous visit's model
        return self.set_up(seed=seed, **changes)

    def visit(self, seed: int = 0, *, callbacks=(), **changes) -> Visit:
        """Trains the set-up, with ``changes`` to its defaults, and measures it; ``callbacks`` go to
        ``fit`` (e.g. ``[progress.run("seed 1")]`` of a :class:`course_utils.Progress` bar)."""
        setup = self.admit(seed, **changes)
        history, accuracy = train(setup, callbacks)
        return Visit(self.key, seed, dict(changes), history, accuracy, setup)

    def treated(self, seed: int = 0) -> Visit:
        """A visit with the reference fix."""
        return self.visit(seed, **self.fix)

    @property
    def notebooks(self) -> tuple[str, ...]:
        """The notebooks that treat its causes, in the order of its causes."""
        return tuple(dict.fromkeys(number for cause in self.causes for number in TREATED_IN[cause][:1]))


PATIENTS = {patient.key: patient for patient in [
    Patient("Ada", "A deeper network should do at least as well as the small one, but this one learns nothing.",
            deeper_net, (INITIALIZATION,), {"initializer": "he_normal"}, (loss_doctor.STUCK,)),
    Patient("Bo", "It follows the textbook schedule, yet the loss stops falling almost at once.",
            step_schedule, (LEARNING_RATE,), {"per_epoch": True}, (loss_doctor.STUCK, loss_doctor.PLATEAU)),
    Patient("Cy", "The same network as a colleague's, trained on our scanner's images, does not learn.",
            scanner_images, (NORMALIZATION,), {"rescale": 1 / 255}, (loss_doctor.STUCK,)),
    Patient("Dee", "Augmentation was meant to help with so few images; the model is worse than without.",
            augmented, (AUGMENTATION,), {"flip": None, "rotation": 0.0},
            (loss_doctor.HEALTHY, loss_doctor.PLATEAU, loss_doctor.TOO_SHORT)),
    Patient("Eli", "The loader is tested and the model is the course's own; the accuracy is at chance.",
            shuffled_loader, (DATA,), {"shuffle": False}, (loss_doctor.STUCK,)),
    Patient("Fay", "A small, modern network: fast, but it never gets good.",
            compact_net, (CAPACITY,), {"head": "flatten"},
            (loss_doctor.STUCK, loss_doctor.PLATEAU, loss_doctor.TOO_SHORT, loss_doctor.HEALTHY)),
    Patient("Gus", "Deeper, with augmentation: everything the guides recommend, and it learns nothing.",
            deeper_net_augmented, (INITIALIZATION, AUGMENTATION),
            {"initializer": "he_normal", "flip": None, "rotation": 0.0}, (loss_doctor.STUCK,)),
]}


def notebook_link(number: str, prefix: str = "") -> str:
    """A Markdown link to a course notebook, e.g. ``[02 · weight initialization](02_weight_initialization.ipynb)``."""
    return f"[{loss_doctor.NOTEBOOKS[number]}]({prefix}{NOTEBOOK_FILES[number]})"
