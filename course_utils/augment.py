"""One description of an augmentation that builds both of Keras's pipelines.

``Augmentation(rotation=20, width_shift=0.2, height_shift=0.2, horizontal_flip=True)`` is the
articles' ``ImageDataGenerator(rotation_range=20, width_shift_range=0.2, ...)``. From it:

- ``layers()`` / ``as_model()``: today's Keras preprocessing layers (``RandomRotation``,
  ``RandomTranslation``, ``RandomZoom``, ``RandomFlip``), for a model or a ``tf.data`` map;
- ``dataset(x, y)``: a shuffled, batched ``tf.data`` pipeline that augments with those layers;
- ``image_data_generator()`` / ``flow(x, y)``: the legacy ``ImageDataGenerator`` with the same
  strengths.

Strengths are given the way ``ImageDataGenerator`` takes them: rotation in degrees, shifts and zoom as
fractions of the image's size. The layers take the same ranges in their own units (a rotation as a
fraction of a full turn). The two implementations draw their random numbers differently, so the same
description gives the same kind of images, not the same images.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

FILL_MODES = ("nearest", "constant", "reflect", "wrap")


@dataclass(frozen=True)
class Augmentation:
    """The strength of each random transform; 0 or ``False`` leaves it out.

    Attributes:
        rotation: the largest rotation, in degrees, either way (``rotation_range``), 0 to 180.
        width_shift: the largest horizontal shift, as a fraction of the width, 0 to below 1.
        height_shift: the largest vertical shift, as a fraction of the height, 0 to below 1.
        zoom: the largest zoom in or out, as a fraction (``zoom_range``), 0 to below 1.
        horizontal_flip: mirror left–right half of the time.
        vertical_flip: mirror top–bottom half of the time.
        fill_mode: how pixels moved in from outside the image are filled: ``"nearest"`` (the
            ``ImageDataGenerator`` default), ``"constant"`` (zeros), ``"reflect"`` or ``"wrap"``.
    """

    rotation: float = 0.0
    width_shift: float = 0.0
    height_shift: float = 0.0
    zoom: float = 0.0
    horizontal_flip: bool = False
    vertical_flip: bool = False
    fill_mode: str = "nearest"

    def __post_init__(self):
        limits = {"rotation": 180.0, "width_shift": 1.0, "height_shift": 1.0, "zoom": 1.0}
        for name, limit in limits.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be 0 or more (0 leaves it out), got {value!r}")
            inclusive = name == "rotation"
            if value > limit or (value == limit and not inclusive):
                bound = f"at most {limit:g}" if inclusive else f"below {limit:g}"
                unit = "degrees" if name == "rotation" else "a fraction of the image's size"
                raise ValueError(f"{name} is in {unit} and must be {bound}, got {value!r}")
            object.__setattr__(self, name, float(value))
        for name in ("horizontal_flip", "vertical_flip"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")
            object.__setattr__(self, name, bool(getattr(self, name)))
        if self.fill_mode not in FILL_MODES:
            raise ValueError(f"fill_mode must be one of {', '.join(map(repr, FILL_MODES))}, got {self.fill_mode!r}")

    @classmethod
    def from_settings(cls, settings: dict | None = None, **more) -> Augmentation:
        """Builds one from a dict of transform names and strengths (a knob panel's values), with a
        clear ``ValueError`` for a name that is not a transform."""
        settings = {**(settings or {}), **more}
        known = [field.name for field in fields(cls)]
        unknown = [name for name in settings if name not in known]
        if unknown:
            raise ValueError(f"unknown transform {', '.join(map(repr, unknown))}; "
                             f"the transforms are {', '.join(known)}")
        return cls(**settings)

    @property
    def is_identity(self) -> bool:
        """True when no transform is switched on."""
        return not any([self.rotation, self.width_shift, self.height_shift, self.zoom,
                        self.horizontal_flip, self.vertical_flip])

    def describe(self) -> str:
        """The transforms switched on, in words."""
        parts = []
        if self.rotation:
            parts.append(f"rotation ±{self.rotation:g}°")
        if self.width_shift or self.height_shift:
            parts.append(f"shift ±{self.width_shift:g} wide, ±{self.height_shift:g} high")
        if self.zoom:
            parts.append(f"zoom ±{self.zoom:g}")
        flips = [name for name, on in (("left–right", self.horizontal_flip), ("top–bottom", self.vertical_flip)) if on]
        if flips:
            parts.append("flip " + " and ".join(flips))
        return ", ".join(parts) or "no augmentation"

    def settings(self) -> dict:
        """The description as a plain dict (``Augmentation(**a.settings()) == a``)."""
        return asdict(self)

    # --- today's Keras preprocessing layers --------------------------------------------------

    def layers(self, seed: int | None = None) -> list:
        """The preprocessing layers for this description, in the order ``ImageDataGenerator`` applies
        them (rotation, shift, zoom, then the flips). Empty when nothing is switched on."""
        from keras import layers

        def next_seed(offset):
            return None if seed is None else seed + offset

        built = []
        if self.rotation:
            built.append(layers.RandomRotation(self.rotation / 360.0, fill_mode=self.fill_mode, seed=next_seed(0)))
        if self.width_shift or self.height_shift:
            built.append(layers.RandomTranslation(self.height_shift, self.width_shift, fill_mode=self.fill_mode,
                                                  seed=next_seed(1)))
        if self.zoom:
            built.append(layers.RandomZoom((-self.zoom, self.zoom), (-self.zoom, self.zoom),
                                           fill_mode=self.fill_mode, seed=next_seed(2)))
        mode = {(True, True): "horizontal_and_vertical", (True, False): "horizontal",
                (False, True): "vertical"}.get((self.horizontal_flip, self.vertical_flip))
        if mode:
            built.append(layers.RandomFlip(mode, seed=next_seed(3)))
        return built

    def as_model(self, seed: int | None = None):
        """The layers as one ``keras.Sequential`` (an identity when nothing is switched on)."""
        import keras

        return keras.Sequential(self.layers(seed) or [keras.layers.Identity()], name="augmentation")

    def dataset(self, x, y=None, *, batch_size: int = 32, seed: int | None = 0, shuffle: bool = True,
                repeat: bool = False):
        """A ``tf.data`` pipeline: shuffle, batch, augment with the layers (in parallel), prefetch.

        Args:
            x: images, shape (N, height, width, channels).
            y: labels (any shape with N rows), or ``None`` for images alone.
            batch_size: images per batch.
            seed: fixes the shuffling and the layers' random draws.
            shuffle: reshuffle every epoch.
            repeat: repeat forever (for throughput measurements).
        """
        import tensorflow as tf

        data = tf.data.Dataset.from_tensor_slices(x if y is None else (x, y))
        if shuffle:
            data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        if repeat:
            data = data.repeat()
        data = data.batch(batch_size)
        if not self.is_identity:
            augment = self.as_model(seed)
            if y is None:
                data = data.map(lambda images: augment(images, training=True), num_parallel_calls=tf.data.AUTOTUNE)
            else:
                data = data.map(lambda images, labels: (augment(images, training=True), labels),
                                num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE)

    def apply(self, images, seed: int = 0) -> np.ndarray:
        """The images, each transformed once by the layers (for a preview grid)."""
        if self.is_identity:
            return np.asarray(images)
        return np.asarray(self.as_model(seed)(np.asarray(images, dtype="float32"), training=True))

    # --- the legacy ImageDataGenerator ------------------------------------------------------

    def image_data_generator(self, **extra):
        """``tensorflow.keras.preprocessing.image.ImageDataGenerator`` with the same strengths;
        ``extra`` passes more of its arguments (``featurewise_center=True``, …)."""
        from tensorflow.keras.preprocessing.image import ImageDataGenerator

        zoom = self.zoom if self.zoom else 0.0
        return ImageDataGenerator(rotation_range=self.rotation, width_shift_range=self.width_shift,
                                  height_shift_range=self.height_shift, zoom_range=zoom,
                                  horizontal_flip=self.horizontal_flip, vertical_flip=self.vertical_flip,
                                  fill_mode=self.fill_mode, **extra)

    def flow(self, x, y=None, *, batch_size: int = 32, seed: int | None = 0, shuffle: bool = True):
        """The ``ImageDataGenerator``'s endless iterator of augmented batches."""
        return self.image_data_generator().flow(x, y, batch_size=batch_size, seed=seed, shuffle=shuffle)


# The articles' three ImageDataGenerator settings, as descriptions.
HIGH_TRAINING_LOSS = Augmentation(rotation=20, width_shift=0.2, height_shift=0.2, horizontal_flip=True)
NOT_IMPROVING = Augmentation(rotation=20, width_shift=0.2, height_shift=0.2, horizontal_flip=True)
LOSS_PLATEAUS = Augmentation(rotation=20, width_shift=0.2, height_shift=0.2, zoom=0.2, horizontal_flip=True)
"""*Loss plateaus* also passes ``shear_range=0.2``: ``ImageDataGenerator`` reads it in degrees (a fifth of a
degree), so it is left out here."""
