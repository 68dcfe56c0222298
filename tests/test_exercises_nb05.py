"""Notebook 05's self-checks: a right answer passes, a wrong or malformed one fails with a hint."""

import numpy as np
import pytest

from course_utils.exercises import nb05


@pytest.mark.parametrize("underfits, overfits, expected", [
    (True, False, "underfitting"), (False, True, "overfitting"), (False, False, "neither")])
def test_fit_kind_accepts_the_rules_answer_only(capsys, underfits, overfits, expected):
    assert nb05.check_fit_kind(f" {expected.upper()} ", underfits=underfits, overfits=overfits)
    for other in set(nb05.FIT_KINDS) - {expected}:
        assert not nb05.check_fit_kind(other, underfits=underfits, overfits=overfits)
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, 3, "overfit"])
def test_fit_kind_explains_what_it_accepts(capsys, answer):
    assert not nb05.check_fit_kind(answer, underfits=False, overfits=True)
    assert "'underfitting', 'overfitting', 'neither'" in capsys.readouterr().out


def test_l2_penalty_is_factor_times_the_sum_of_squares(capsys):
    kernel = np.array([[1.0, -2.0], [0.5, 0.0]])  # Σ w² = 5.25
    assert nb05.check_l2_penalty(0.0525, kernel, 0.01)
    assert not nb05.check_l2_penalty(0.02625, kernel, 0.01)  # with a ½ in front
    assert "half" in capsys.readouterr().out
    assert not nb05.check_l2_penalty(5.25, kernel, 0.01)
    assert not nb05.check_l2_penalty("0.0525", kernel, 0.01)
    assert not nb05.check_l2_penalty(float("nan"), kernel, 0.01)


def test_l2_penalty_matches_what_keras_adds():
    import keras

    kernel = np.random.default_rng(0).normal(size=(6, 3)).astype("float32")
    added = float(keras.regularizers.l2(0.01)(kernel))
    assert nb05.check_l2_penalty(added, kernel, 0.01)


def test_dropout_scale_is_one_over_the_share_kept(capsys):
    assert nb05.check_dropout_scale(2, rate=0.5)
    assert nb05.check_dropout_scale(1.25, rate=0.2)
    assert not nb05.check_dropout_scale(0.5, rate=0.5)
    assert "share kept" in capsys.readouterr().out
    assert not nb05.check_dropout_scale(True)
    assert not nb05.check_dropout_scale(None)


def test_dropout_scale_matches_what_keras_does():
    import keras

    kept = keras.layers.Dropout(0.5, seed=0)(np.ones((1, 1000), dtype="float32"), training=True)
    values = set(np.unique(np.asarray(kept)).round(6))
    assert values == {0.0, 2.0}
    assert nb05.check_dropout_scale(max(values), rate=0.5)


def test_stop_epoch_is_best_plus_patience_within_the_budget(capsys):
    assert nb05.check_stop_epoch(7, best_epoch=5, patience=2, epochs=20)
    assert not nb05.check_stop_epoch(5, best_epoch=5, patience=2, epochs=20)
    assert "restored" in capsys.readouterr().out
    assert nb05.check_stop_epoch(10, best_epoch=9, patience=3, epochs=10)
    assert not nb05.check_stop_epoch(7.5, best_epoch=5, patience=2, epochs=20)
    assert not nb05.check_stop_epoch(None, best_epoch=5, patience=2, epochs=20)


def test_stop_epoch_matches_what_keras_does():
    import keras

    class Scripted(keras.callbacks.Callback):
        """Feeds EarlyStopping a validation loss whose lowest value is at epoch 4 (1-based)."""

        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [5, 4, 3, 1, 2, 2, 2, 2, 2, 2][epoch]

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    history = model.fit(np.zeros((4, 2)), np.zeros(4), epochs=10, verbose=0, callbacks=[Scripted(), stopper])
    assert nb05.check_stop_epoch(len(history.history["loss"]), best_epoch=4, patience=3, epochs=10)
