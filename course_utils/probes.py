"""Per-layer probes: how big the signal is in each layer, forward and backward, for one batch.

``activation_stats`` measures the output of each layer that has a kernel (the mean and
standard deviation over the batch), ``gradient_norms`` the norm of the loss's gradient with
respect to each of those kernels, and ``layer_statistics`` both at once, one row per layer.
A signal that shrinks layer after layer is *vanishing*; one that grows is *exploding*.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf


@dataclass(frozen=True)
class LayerStats:
    """What the probes measured for one layer.

    Attributes:
        name: the layer's name.
        activation_mean: mean of the layer's output over the batch (after its activation).
        activation_std: standard deviation of that output.
        gradient_norm: Euclidean norm of d(loss)/d(kernel) for the batch.
        kernel_std: standard deviation of the layer's kernel, the weights drawn by its initializer.
    """

    name: str
    activation_mean: float
    activation_std: float
    gradient_norm: float
    kernel_std: float


def weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers of ``model`` that have a kernel (Conv2D, Dense …), in order."""
    if not model.built or not model.inputs:
        raise ValueError(f"model {model.name!r} has no inputs yet: give it a keras.Input(shape=...) "
                         "or an input_shape, or call it once on a batch")
    found = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
    if not found:
        raise ValueError(f"model {model.name!r} has no layer with a kernel (Conv2D, Dense …) to probe")
    return found


def _check_batch(x) -> np.ndarray:
    x = np.asarray(x, dtype="float32")
    if x.ndim < 2 or len(x) == 0:
        raise ValueError(f"x must be a non-empty batch of inputs, got an array of shape {x.shape}")
    return x


def _weighted_outputs(model: keras.Model, x: np.ndarray):
    """Yields each layer with a kernel and its output for the batch ``x``, in inference mode."""
    layers = weighted_layers(model)
    if isinstance(model, keras.Sequential):
        # One layer at a time: a multi-output keras.Model needs several times the memory.
        signal = tf.convert_to_tensor(x)
        for layer in model.layers:
            signal = layer(signal, training=False)
            if layer in layers:
                yield layer, signal
        return
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    outputs = keras.Model(inputs, [layer.output for layer in layers])(x, training=False)
    yield from zip(layers, outputs if isinstance(outputs, (list, tuple)) else [outputs], strict=True)


def activation_stats(model: keras.Model, x) -> list[tuple[str, float, float]]:
    """Mean and standard deviation of each weighted layer's output for the batch ``x``.

    Returns:
        ``(layer name, mean, std)`` per layer with a kernel, in order.
    """
    return [(layer.name, float(np.mean(output, dtype=np.float64)), float(np.std(output, dtype=np.float64)))
            for layer, output in _weighted_outputs(model, _check_batch(x))]


def gradient_norms(model: keras.Model, x, y, loss=None) -> list[tuple[str, float]]:
    """Norm of the gradient of the loss for the batch ``(x, y)`` with respect to each kernel.

    Args:
        model: the model, in its current state (e.g. freshly initialized).
        x: a batch of inputs.
        y: their labels, in the form ``loss`` expects.
        loss: a Keras loss; by default sparse categorical cross-entropy on probabilities
            (integer labels, a softmax output).

    Returns:
        ``(layer name, gradient norm)`` per layer with a kernel, in order.
    """
    loss = loss or keras.losses.SparseCategoricalCrossentropy()
    x = _check_batch(x)
    _check_labels(x, y)
    layers = weighted_layers(model)
    with tf.GradientTape() as tape:
        value = loss(y, model(x, training=False))
    gradients = tape.gradient(value, [layer.kernel for layer in layers])
    return [(layer.name, _norm(gradient)) for layer, gradient in zip(layers, gradients, strict=True)]


def _check_labels(x: np.ndarray, y) -> None:
    if len(np.asarray(y)) != len(x):
        raise ValueError(f"x and y must hold the same number of examples, got {len(x)} and {len(np.asarray(y))}")


def _norm(gradient) -> float:
    """The Euclidean norm, summed in float64 so that an exploding gradient does not overflow."""
    return 0.0 if gradient is None else float(np.linalg.norm(np.asarray(gradient, dtype=np.float64)))


def layer_statistics(model: keras.Model, x, y, loss=None) -> list[LayerStats]:
    """``activation_stats`` and ``gradient_norms`` together, with each kernel's spread.

    For a ``keras.Sequential`` model one forward pass, taped, gives both.
    """
    if not isinstance(model, keras.Sequential):
        activations = activation_stats(model, x)
        gradients = gradient_norms(model, x, y, loss)
    else:
        loss = loss or keras.losses.SparseCategoricalCrossentropy()
        x = _check_batch(x)
        _check_labels(x, y)
        layers = weighted_layers(model)
        with tf.GradientTape() as tape:
            signal, outputs = tf.convert_to_tensor(x), []
            for layer in model.layers:
                signal = layer(signal, training=False)
                if layer in layers:
                    outputs.append(signal)
            value = loss(y, signal)
        gradients = [(layer.name, _norm(gradient))
                     for layer, gradient in zip(layers, tape.gradient(value, [layer.kernel for layer in layers]), strict=True)]
        activations = [(layer.name, float(np.mean(output, dtype=np.float64)), float(np.std(output, dtype=np.float64)))
                       for layer, output in zip(layers, outputs, strict=True)]
    return [LayerStats(name, mean, std, norm, float(np.std(layer.kernel, dtype=np.float64)))
            for (name, mean, std), (_, norm), layer
            in zip(activations, gradients, weighted_layers(model), strict=True)]
