import math
from functools import partial

import keras
import numpy as np
import pytest

from course_utils import schedules
from course_utils.schedules import cosine_warmup, lr_range_test, piecewise, rates_over, step_decay


def test_step_decay_matches_the_article_at_known_epochs():
    # 0.001 · 0.5^floor((1 + epoch) / 10): the first halving at index 9, then every 10 epochs
    expected = {0: 0.001, 8: 0.001, 9: 0.0005, 18: 0.0005, 19: 0.00025, 29: 0.000125, 39: 0.0000625}
    for epoch, rate in expected.items():
        assert step_decay(epoch) == pytest.approx(rate)
    assert isinstance(step_decay(3), float)  # Keras 3 refuses anything else


def test_step_decay_knobs():
    assert step_decay(3, initial_rate=0.1, drop=0.1, epochs_drop=2) == pytest.approx(0.001)
    assert step_decay(100, drop=1.0) == pytest.approx(0.001)


def test_piecewise_is_the_articles_three_stages():
    rates = rates_over(piecewise, 30)
    assert rates[:10] == [0.001] * 10 and rates[10:20] == [0.0005] * 10 and rates[20:] == [0.0001] * 10
    assert piecewise(500) == 0.0001
    assert piecewise(4, boundaries=(5,), rates=(1.0, 2.0)) == 1.0
    assert piecewise(5, boundaries=(5,), rates=(1.0, 2.0)) == 2.0


@pytest.mark.parametrize("schedule, expected", [
    (partial(step_decay, epochs_drop=2), [0.001, 0.0005, 0.0005, 0.00025, 0.00025]),
    (partial(piecewise, boundaries=(2, 4)), [0.001, 0.001, 0.0005, 0.0005, 0.0001]),
])
def test_keras_learning_rate_scheduler_uses_the_schedule_as_given(schedule, expected):
    # Keras calls schedule(epoch, current_rate) when it can: that must not reach the settings
    model = linear_model()
    history = model.fit(np.zeros((8, 4), "float32"), np.zeros(8, "float32"), epochs=5, verbose=0,
                        callbacks=[keras.callbacks.LearningRateScheduler(schedule)])
    assert history.history["learning_rate"] == pytest.approx(expected)


@pytest.mark.parametrize("kwargs", [
    {"initial_rate": 0.0, "warmup_target": 0.01, "warmup_steps": 10, "decay_steps": 50},
    {"initial_rate": 0.001, "warmup_target": 0.005, "warmup_steps": 7, "decay_steps": 30, "alpha": 0.1},
    {"initial_rate": 0.002, "warmup_target": 0.002, "warmup_steps": 0, "decay_steps": 20},
])
def test_cosine_warmup_gives_what_keras_cosine_decay_gives(kwargs):
    keras_schedule = keras.optimizers.schedules.CosineDecay(
        kwargs["initial_rate"], kwargs["decay_steps"], alpha=kwargs.get("alpha", 0.0),
        warmup_target=kwargs["warmup_target"], warmup_steps=kwargs["warmup_steps"])
    for step in range(kwargs["warmup_steps"] + kwargs["decay_steps"] + 5):
        expected = float(keras.ops.convert_to_numpy(keras_schedule(step)))
        assert cosine_warmup(step, **kwargs) == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_cosine_warmup_shape():
    kwargs = {"initial_rate": 0.0, "warmup_target": 0.01, "warmup_steps": 10, "decay_steps": 100}
    assert cosine_warmup(0, **kwargs) == 0.0
    assert cosine_warmup(5, **kwargs) == pytest.approx(0.005)
    assert cosine_warmup(10, **kwargs) == pytest.approx(0.01)
    assert cosine_warmup(60, **kwargs) == pytest.approx(0.005)
    assert cosine_warmup(110, **kwargs) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: step_decay(-1), "epoch"),
    (lambda: step_decay(2.5), "epoch"),
    (lambda: step_decay(0, drop=1.5), "drop"),
    (lambda: step_decay(0, epochs_drop=0), "epochs_drop"),
    (lambda: step_decay(0, initial_rate=-0.1), "initial_rate"),
    (lambda: piecewise(0, boundaries=(10, 20), rates=(0.1, 0.01)), "one more"),
    (lambda: piecewise(0, boundaries=(20, 10), rates=(0.1, 0.01, 0.001)), "increasing"),
    (lambda: piecewise(0, boundaries=(10,), rates=(0.1, 0.0)), "rate"),
    (lambda: cosine_warmup(0, initial_rate=0, warmup_target=0.1, warmup_steps=-1, decay_steps=5), "warmup_steps"),
    (lambda: cosine_warmup(0, initial_rate=0, warmup_target=0.1, warmup_steps=2, decay_steps=0), "decay_steps"),
    (lambda: cosine_warmup(0, initial_rate=0, warmup_target=0.1, warmup_steps=2, decay_steps=5, alpha=2),
     "alpha"),
    (lambda: rates_over(step_decay, 0), "count"),
    (lambda: step_decay(0, drop="half"), "drop"),
    (lambda: cosine_warmup(0, initial_rate="0", warmup_target=0.1, warmup_steps=2, decay_steps=5), "initial_rate"),
    (lambda: piecewise(0, boundaries=(1.5, 20), rates=(0.1, 0.01, 0.001)), "boundary"),
])
def test_bad_schedule_arguments_say_what_is_accepted(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def linear_regression(feature_scale, *, num_examples=4096, seed=0):
    """Noisy linear data whose mean-squared-error Hessian is about 2·feature_scale²·I."""
    rng = np.random.default_rng(seed)
    x = (feature_scale * rng.standard_normal((num_examples, 4))).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 1.0]) + 0.1 * rng.standard_normal(num_examples)).astype("float32")
    return x, y


def stable_rate_bound(x):
    """Plain gradient descent on the mean squared error diverges above 2 / λ_max(Hessian)."""
    hessian = 2 * x.T.astype("float64") @ x / len(x)
    return 2 / np.linalg.eigvalsh(hessian).max()


def linear_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, use_bias=False)])
    model.compile(optimizer=keras.optimizers.SGD(), loss="mse")
    return model


@pytest.mark.parametrize("feature_scale", [3.0, 1 / 3])
def test_range_test_finds_the_stable_rate_bound_of_linear_regression(feature_scale):
    x, y = linear_regression(feature_scale)
    bound = stable_rate_bound(x)  # about 1 / feature_scale²: 0.11 and 9
    result = lr_range_test(linear_model(), x, y, start=1e-4, end=1e3, batch_size=32)
    assert result.stopped_early  # the loss blew up past the bound
    assert bound / 2 < result.lowest_loss_rate() < 3 * bound
    assert bound / 30 < result.suggest() < bound
    assert len(result.rates) == len(result.losses) == len(result.smoothed)
    assert np.all(np.diff(result.rates) > 0)


def test_range_test_records_each_batchs_own_loss():
    x, y = linear_regression(1.0, num_examples=256)
    result = lr_range_test(linear_model(), x, y, start=1e-6, end=1e-5, batch_size=64, smoothing=0.0)
    # at rates this small the weights barely move: each batch's loss is that batch's loss at the start
    untrained = linear_model()
    order = np.random.default_rng(0).permutation(len(x))
    for index, loss in enumerate(result.losses):
        batch = order[index * 64:(index + 1) * 64]
        assert loss == pytest.approx(untrained.evaluate(x[batch], y[batch], verbose=0), rel=1e-3)
    assert np.allclose(result.smoothed, result.losses)
    assert not result.stopped_early and len(result.rates) == 4
    assert result.rates[0] == pytest.approx(1e-6) and result.rates[-1] == pytest.approx(1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"start": 0.0}, "start"),
    ({"start": 1.0, "end": 0.1}, "below end"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 4096}, "at least 2 batches"),
    ({"smoothing": 1.0}, "smoothing"),
    ({"stop_factor": 1.0}, "stop_factor"),
])
def test_range_test_bad_arguments(kwargs, message):
    x, y = linear_regression(1.0, num_examples=128)
    with pytest.raises(ValueError, match=message):
        lr_range_test(linear_model(), x, y, **kwargs)


def test_range_test_needs_matching_data_and_a_compiled_model():
    x, y = linear_regression(1.0, num_examples=128)
    with pytest.raises(ValueError, match="same length"):
        lr_range_test(linear_model(), x, y[:-1])
    bare = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        lr_range_test(bare, x, y)


def test_suggestion_is_a_tenth_of_the_lowest_point():
    result = schedules.RangeTest(rates=np.array([0.1, 1.0, 10.0]), losses=np.array([2.0, 1.0, 5.0]),
                                 smoothed=np.array([2.0, 1.0, 5.0]), stopped_early=True)
    assert result.lowest_loss_rate() == 1.0 and math.isclose(result.suggest(), 0.1)
