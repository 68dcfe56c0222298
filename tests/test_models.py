import numpy as np
import pytest

from course_utils.models import build_cnn


def layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers]


def test_default_is_the_stuck_at_2_302_network_on_the_digits():
    from course_utils.data import load_dataset

    model = build_cnn()
    assert model.input_shape[1:] == load_dataset("digits").input_shape
    assert layer_kinds(model) == [
        "Conv2D", "Activation", "MaxPooling2D", "Conv2D", "Activation", "MaxPooling2D", "Flatten", "Dense"]
    # 28→26→13→11→5: 5·5·64 features into 10 softmax units, as in the article
    assert model.layers[-1].kernel.shape == (5 * 5 * 64, 10)
    assert model.count_params() == 3 * 3 * 1 * 32 + 32 + 3 * 3 * 32 * 64 + 64 + 1600 * 10 + 10


def test_high_training_loss_example_2_shape():
    model = build_cnn(input_shape=(32, 32, 3), padding="same", pooling=False)
    assert model.layers[-1].kernel.shape == (32 * 32 * 64, 10)


def test_knobs_add_layers_and_penalty():
    model = build_cnn(batch_norm=True, dropout=0.5, l2=0.01, activation="elu", initializer="he_normal")
    kinds = layer_kinds(model)
    assert kinds.count("BatchNormalization") == 2 and "Dropout" in kinds
    assert model.layers[-1].kernel_regularizer is not None
    assert model.get_layer(index=2).activation.__name__ == "elu"
    assert type(model.layers[0].kernel_initializer).__name__ == "HeNormal"


def test_he_normal_draws_weights_with_the_he_spread():
    model = build_cnn(initializer="he_normal", filters=(64, 64))
    kernel = model.layers[3].kernel.numpy()  # second convolution: fan_in = 3·3·64
    expected = np.sqrt(2 / (3 * 3 * 64))
    assert abs(kernel.std() / expected - 1) < 0.1  # truncated normal: std a bit under the target


def test_logits_output_and_probabilities_sum_to_one():
    images = np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)
    assert np.allclose(build_cnn()(images).numpy().sum(axis=1), 1, atol=1e-5)
    logits = build_cnn(output_activation=None)(images).numpy()
    assert not np.allclose(logits.sum(axis=1), 1)


@pytest.mark.parametrize("kwargs, message", [
    ({"filters": ()}, "filters"),
    ({"dropout": 1.5}, "dropout"),
    ({"l2": -1}, "l2"),
    ({"initializer": "no_such_init"}, "no_such_init"),
])
def test_bad_knobs_fail_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_cnn(**kwargs)


def test_deep_plain_cnn_layout():
    from course_utils.models import build_deep_plain_cnn

    model = build_deep_plain_cnn(depth=12, width=8, pool_every=5)
    kinds = layer_kinds(model)
    assert kinds.count("Conv2D") == 12 and kinds.count("MaxPooling2D") == 2
    assert "BatchNormalization" not in kinds
    assert kinds.index("MaxPooling2D") == 5  # after the fifth convolution
    assert model.get_layer("logits").kernel.shape == (8 * 8 * 8, 10)  # 32 → 16 → 8
    assert model.output_shape == (None, 10) and kinds[-1] == "Activation"


def test_deep_plain_cnn_gives_each_layer_its_own_weights_from_one_initializer_object():
    import keras

    from course_utils.models import build_deep_plain_cnn

    model = build_deep_plain_cnn(depth=3, initializer=keras.initializers.RandomNormal(stddev=1.0))
    second, third = (layer.kernel.numpy() for layer in model.layers[1:3])
    assert second.shape == third.shape and not np.array_equal(second, third)
    assert abs(second.std() - 1) < 0.1


@pytest.mark.parametrize("kwargs, message", [
    ({"depth": 0}, "depth"),
    ({"width": 2.5}, "width"),
    ({"depth": 40, "pool_every": 5}, "poolings"),
    ({"activation": "no_such_activation"}, "no_such_activation"),
])
def test_deep_plain_cnn_bad_knobs_fail_with_a_message(kwargs, message):
    from course_utils.models import build_deep_plain_cnn

    with pytest.raises(ValueError, match=message):
        build_deep_plain_cnn(**kwargs)
