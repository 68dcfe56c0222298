"""The probes, on models whose per-layer statistics can be worked out by hand."""

import keras
import numpy as np
import pytest
from keras import layers

from course_utils import probes
from course_utils.models import build_deep_plain_cnn

RNG = np.random.default_rng(0)
X = RNG.normal(size=(8, 4)).astype("float32")


def dense_model(kernel, activation=None, output_activation=None):
    """Input(4) → Dense(kernel) → (an optional Dense on top, so the first is a hidden layer)."""
    model = keras.Sequential([keras.Input((kernel.shape[0],)),
                              layers.Dense(kernel.shape[1], activation=activation, use_bias=False)])
    model.layers[0].kernel.assign(kernel)
    if output_activation:
        model.add(layers.Dense(3, activation=output_activation, kernel_initializer="zeros", use_bias=False))
    return model


def test_identity_layer_passes_the_batch_statistics_through():
    (name, mean, std), = probes.activation_stats(dense_model(np.eye(4)), X)
    assert np.isclose(mean, X.mean(), atol=1e-6) and np.isclose(std, X.std(), atol=1e-6)


def test_relu_and_constant_weights_by_hand():
    stats = probes.activation_stats(dense_model(np.full((4, 2), 0.5), activation="relu"), X)
    by_hand = np.maximum(0.5 * X.sum(axis=1), 0)  # both units see the same weighted sum
    assert np.isclose(stats[0][1], by_hand.mean(), atol=1e-6)
    assert np.isclose(stats[0][2], by_hand.std(), atol=1e-6)


def test_identity_convolution_keeps_images_unchanged():
    images = RNG.random((3, 6, 6, 2)).astype("float32")
    model = keras.Sequential([keras.Input((6, 6, 2)), layers.Conv2D(2, 3, padding="same", use_bias=False)])
    kernel = np.zeros((3, 3, 2, 2), "float32")
    kernel[1, 1] = np.eye(2)  # the centre tap copies each channel
    model.layers[0].kernel.assign(kernel)
    (_, mean, std), = probes.activation_stats(model, images)
    assert np.isclose(mean, images.mean(), atol=1e-6) and np.isclose(std, images.std(), atol=1e-6)


def test_gradient_of_mean_squared_error_by_hand():
    weights = np.array([[1.0], [-2.0], [0.5], [0.0]], "float32")
    targets = RNG.normal(size=(8, 1)).astype("float32")
    (_, norm), = probes.gradient_norms(dense_model(weights), X, targets, keras.losses.MeanSquaredError())
    by_hand = 2 / len(X) * X.T @ (X @ weights - targets)  # d/dW of mean((XW - y)²)
    assert np.isclose(norm, np.linalg.norm(by_hand), rtol=1e-5)


def test_gradient_of_cross_entropy_from_a_uniform_softmax_by_hand():
    model = dense_model(np.zeros((4, 3), "float32"), output_activation=None)
    model.layers[0].activation = keras.activations.softmax
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    (_, norm), = probes.gradient_norms(model, X, labels)
    by_hand = X.T @ (np.full((8, 3), 1 / 3) - np.eye(3)[labels]) / len(X)  # Xᵀ(P − Y)/N
    assert np.isclose(norm, np.linalg.norm(by_hand), rtol=1e-5)


def test_a_layer_the_loss_does_not_reach_has_zero_gradient():
    model = dense_model(np.eye(4), activation="relu", output_activation="softmax")
    stats = probes.layer_statistics(model, X, np.zeros(len(X), int))
    assert [row.gradient_norm for row in stats] == [0.0, pytest.approx(stats[1].gradient_norm)]
    assert stats[1].gradient_norm > 0  # zero output weights block the signal to the first layer
    assert stats[0].kernel_std == pytest.approx(np.eye(4).std())


def test_layer_statistics_one_row_per_weighted_layer_in_order():
    model = build_deep_plain_cnn(depth=4, width=4, pool_every=2, input_shape=(8, 8, 1))
    images, labels = RNG.random((5, 8, 8, 1)).astype("float32"), np.arange(5)
    stats = probes.layer_statistics(model, images, labels)
    assert [row.name for row in stats] == [layer.name for layer in probes.weighted_layers(model)]
    assert len(stats) == 5 and stats[-1].name == "logits"
    assert all(row.activation_std > 0 and row.gradient_norm > 0 for row in stats)


def test_layer_statistics_of_a_sequential_model_in_one_pass_match_the_two_probes():
    model = build_deep_plain_cnn(depth=4, width=4, pool_every=2, input_shape=(8, 8, 1), activation="sigmoid")
    images, labels = RNG.random((6, 8, 8, 1)).astype("float32"), np.arange(6)
    stats = probes.layer_statistics(model, images, labels)
    activations, gradients = probes.activation_stats(model, images), probes.gradient_norms(model, images, labels)
    assert [(row.name, row.activation_mean, row.activation_std) for row in stats] == [
        (name, pytest.approx(mean, rel=1e-5), pytest.approx(std, rel=1e-5)) for name, mean, std in activations]
    assert [(row.name, row.gradient_norm) for row in stats] == [
        (name, pytest.approx(norm, rel=1e-5)) for name, norm in gradients]
    with pytest.raises(ValueError, match="same number"):
        probes.layer_statistics(model, images, labels[:3])

def test_vanishing_and_steady_signals_in_a_deep_relu_net():
    images = RNG.random((16, 32, 32, 3)).astype("float32")
    keras.utils.set_random_seed(0)
    small = probes.activation_stats(build_deep_plain_cnn(initializer="random_normal"), images)
    he = probes.activation_stats(build_deep_plain_cnn(initializer="he_normal"), images)
    assert small[-2][2] / small[0][2] < 1e-3  # σ = 0.05 shrinks the signal layer after layer
    assert 0.1 < he[-2][2] / he[0][2] < 10  # He's rule keeps it at the same scale


@pytest.mark.parametrize("call, message", [
    (lambda: probes.activation_stats(keras.Sequential([keras.Input((4,)), layers.Flatten()]), X), "no layer"),
    (lambda: probes.activation_stats(dense_model(np.eye(4)), np.zeros((0, 4))), "non-empty batch"),
    (lambda: probes.gradient_norms(dense_model(np.eye(4)), X, [0, 1]), "same number"),
    (lambda: probes.activation_stats(keras.Sequential([layers.Dense(2)]), X), "no inputs yet"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_functional_model_with_a_branch():
    inputs = keras.Input((4,))
    left = layers.Dense(4, use_bias=False, kernel_initializer="identity", name="left")(inputs)
    right = layers.Dense(4, use_bias=False, kernel_initializer="zeros", name="right")(inputs)
    model = keras.Model(inputs, layers.Add()([left, right]))
    stats = dict((name, (mean, std)) for name, mean, std in probes.activation_stats(model, X))
    assert np.allclose(stats["left"], (X.mean(), X.std()), atol=1e-6) and stats["right"] == (0.0, 0.0)


def test_statistics_beyond_float32_squares_do_not_overflow():
    model = dense_model(np.full((4, 4), 1e20, "float32"))  # outputs ~1e20: their squares exceed float32
    (_, mean, std), = probes.activation_stats(model, X)
    (_, norm), = probes.gradient_norms(model, X, np.zeros((8, 4), "float32"), keras.losses.MeanAbsoluteError())
    assert np.isfinite(mean) and np.isfinite(std) and std > 1e19
    assert np.isfinite(norm) and norm > 0
