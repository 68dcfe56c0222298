"""Builders for the articles' CNNs, with the knobs the lessons turn as arguments.

The notebooks show each article's model code as written; these builders make the same
networks for knob panels and tests, where the architecture is not the lesson.
"""

from __future__ import annotations

import keras
from keras import layers


def build_cnn(
    *,
    input_shape=(28, 28, 1),
    num_classes: int = 10,
    filters=(32, 64),
    kernel_size: int = 3,
    initializer="glorot_uniform",
    activation: str = "relu",
    padding: str = "valid",
    pooling: bool = True,
    batch_norm: bool = False,
    dropout: float = 0.0,
    l2: float = 0.0,
    output_activation: str | None = "softmax",
) -> keras.Sequential:
    """A plain CNN: ``[Conv2D → (BatchNorm) → activation → (MaxPool)] × len(filters)``, then
    ``Flatten → (Dropout) → Dense(num_classes)``.

    The defaults are *Stuck at 2.302*'s network (32 and 64 filters, 'valid' padding, max pooling,
    Keras's default ``glorot_uniform`` initializer) on the course's digits, 28×28 grey images
    (the article feeds it 28×28×3 random images: ``input_shape=(28, 28, 3)``). *High training
    loss* Example 2 is ``filters=(32, 64), padding="same", pooling=False, input_shape=(32, 32, 3)``;
    *Not improving* Example 1 is ``filters=(64, 128), input_shape=(28, 28, 1)``.

    Args:
        input_shape: height, width, channels of one image.
        num_classes: units of the output layer.
        filters: filters of each convolution block, in order.
        kernel_size: the side of each square convolution kernel.
        initializer: the ``kernel_initializer`` of every Conv2D and Dense layer.
        activation: the hidden layers' activation.
        padding: ``"valid"`` or ``"same"``.
        pooling: a 2×2 max pooling after each convolution.
        batch_norm: BatchNormalization between each convolution and its activation.
        dropout: dropout rate before the output layer (0 for none).
        l2: L2 penalty on the output layer's kernel (0 for none), as in *Not improving* Example 3.
        output_activation: ``"softmax"`` for probabilities, ``None`` for logits.
    """
    if not filters:
        raise ValueError("filters must name at least one convolution block, e.g. (32, 64)")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if l2 < 0:
        raise ValueError(f"l2 must be zero or positive, got {l2}")
    keras.initializers.get(initializer)  # fails here, with Keras's message, on an unknown name
    model = keras.Sequential(name="cnn")
    model.add(keras.Input(shape=tuple(input_shape)))
    for width in filters:
        model.add(layers.Conv2D(width, kernel_size, padding=padding, kernel_initializer=initializer))
        if batch_norm:
            model.add(layers.BatchNormalization())
        model.add(layers.Activation(activation))
        if pooling:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    if dropout:
        model.add(layers.Dropout(dropout))
    regularizer = keras.regularizers.l2(l2) if l2 else None
    model.add(
        layers.Dense(
            num_classes,
            activation=output_activation,
            kernel_initializer=initializer,
            kernel_regularizer=regularizer,
        )
    )
    return model


def build_deep_plain_cnn(
    *,
    depth: int = 15,
    width: int = 16,
    initializer="glorot_uniform",
    activation: str = "relu",
    input_shape=(32, 32, 3),
    num_classes: int = 10,
    pool_every: int = 5,
) -> keras.Sequential:
    """A deep CNN with nothing to rescue its signal: no BatchNorm, no skip connections.

    ``depth`` × ``Conv2D(width, 3×3, 'same', activation)``, a 2×2 max pooling after every
    ``pool_every`` convolutions (not after the last), then ``Flatten → Dense(num_classes)``
    (the logits) ``→ Activation('softmax')``. Every kernel comes from ``initializer``, as
    in the articles' models.

    Args:
        depth: the number of convolution layers.
        width: the filters of every convolution.
        initializer: a Keras initializer's name, config dict or object. Each layer gets its
            own copy: Keras 3 draws the same numbers from one unseeded object every time.
        activation: the convolutions' activation.
        input_shape: height, width, channels of one image.
        num_classes: units of the output layer.
        pool_every: convolutions between two poolings.
    """
    for name, value in (("depth", depth), ("width", width), ("pool_every", pool_every)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a whole number of at least 1, got {value!r}")
    poolings = (depth - 1) // pool_every
    if min(input_shape[:2]) < 2**poolings:
        raise ValueError(f"{poolings} poolings do not fit a {input_shape[0]}×{input_shape[1]} input: "
                         "lower depth or raise pool_every")
    keras.activations.get(activation)  # fails here, with Keras's message, on an unknown name
    model = keras.Sequential(name=f"plain_cnn_{depth}")
    model.add(keras.Input(shape=tuple(input_shape)))
    for index in range(1, depth + 1):
        model.add(layers.Conv2D(width, 3, padding="same", activation=activation,
                                kernel_initializer=_fresh_initializer(initializer)))
        if index % pool_every == 0 and index < depth:
            model.add(layers.MaxPooling2D(2))
    model.add(layers.Flatten())
    model.add(layers.Dense(num_classes, kernel_initializer=_fresh_initializer(initializer), name="logits"))
    model.add(layers.Activation("softmax", name="probabilities"))
    return model


def _fresh_initializer(initializer):
    """A new initializer for one layer: an unseeded object is copied, so it draws new numbers."""
    if isinstance(initializer, keras.initializers.Initializer):
        config = initializer.get_config()
        return type(initializer).from_config(config) if config.get("seed") is None else initializer
    return keras.initializers.get(initializer)
