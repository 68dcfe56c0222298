"""The loss doctor on synthetic histories: each symptom, its near misses, the callback."""

import math

import keras
import numpy as np
import pytest

from course_utils import loss_doctor
from course_utils.loss_doctor import (
    DIVERGED, HEALTHY, OSCILLATING, OVERFITTING, PLATEAU, STUCK, TOO_SHORT, WORSE_THAN_CHANCE,
    LossDoctor, diagnose, symptoms,
)

K = 10
CHANCE = math.log(K)
# A real digits run of notebook 01's correct set-up (seed 0, 10 epochs).
HEALTHY_RUN = {"loss": [1.925, 0.502, 0.238, 0.173, 0.149, 0.141, 0.111, 0.091, 0.087, 0.080],
               "val_loss": [1.001, 0.302, 0.243, 0.213, 0.179, 0.172, 0.150, 0.149, 0.129, 0.121]}


def only(history, num_classes=K):
    found = diagnose(history, num_classes)
    assert len(found) == 1, [str(finding) for finding in found]
    return found[0]


# --- stuck at chance -------------------------------------------------------------------

def test_a_loss_flat_at_ln_k_is_stuck_at_chance():
    finding = only({"loss": [23.6, 2.311, 2.310, 2.310, 2.311], "val_loss": [2.30, 2.31, 2.31, 2.31, 2.31]})
    assert (finding.symptom, finding.metric, finding.epoch) == (STUCK, "loss", 5)
    assert "2.303" in finding.evidence and "validation loss too" in finding.evidence


def test_chance_depends_on_the_number_of_classes():
    flat_at_ln2 = {"loss": [0.70, 0.693, 0.692, 0.693]}
    assert symptoms(flat_at_ln2, 2) == [STUCK]
    assert STUCK not in symptoms(flat_at_ln2, 10)


def test_a_slow_start_that_then_learns_is_not_stuck():
    assert symptoms({"loss": [2.31, 2.30, 2.30, 2.25, 1.8, 1.2, 0.8]}, K) == [HEALTHY]


def test_one_epoch_just_outside_the_tolerance_breaks_the_run_of_stuck_epochs():
    just_outside = CHANCE * (1 - loss_doctor.CHANCE_TOLERANCE) - 0.01
    assert STUCK not in symptoms({"loss": [2.31, 2.30, 2.30, just_outside]}, K)


def test_validation_loss_that_never_beats_chance_while_training_falls_is_stuck_on_validation():
    found = diagnose({"loss": [2.2, 1.5, 0.9, 0.4], "val_loss": [2.31, 2.35, 2.40, 2.45]}, K)
    assert [(finding.symptom, finding.metric) for finding in found] == [(STUCK, "val_loss")]


def test_validation_that_once_beat_chance_is_not_stuck():
    history = {"loss": [2.2, 1.5, 0.9, 0.4], "val_loss": [2.31, 2.10, 2.35, 2.45]}
    assert STUCK not in symptoms(history, K)


def test_validation_at_chance_is_not_blamed_on_memorising_while_training_has_not_left_chance():
    early_lr_run = {"loss": [9.0, 2.31, 2.30], "val_loss": [2.30, 2.30, 2.30]}
    finding = only(early_lr_run)
    assert finding.symptom == TOO_SHORT and "slow start" in finding.evidence


# --- worse than chance, diverged ----------------------------------------------------------

def test_a_loss_that_stays_above_chance_is_worse_than_chance():
    finding = only({"loss": [8.02, 9.08, 9.98, 9.997, 9.997]})
    assert finding.symptom == WORSE_THAN_CHANCE and finding.notebooks == ("01",)


def test_slightly_above_chance_within_the_tolerance_is_stuck_not_worse():
    assert symptoms({"loss": [2.5, 2.41, 2.40, 2.40]}, K) == [STUCK]


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_nan_or_inf_is_diverged_and_nothing_else(bad):
    finding = only({"loss": [4.9, 2.1, bad, bad], "val_loss": [2.0, bad, bad, bad]})
    assert (finding.symptom, finding.epoch) == (DIVERGED, 3)


def test_nan_is_caught_even_in_a_run_too_short_to_judge_otherwise():
    assert symptoms({"loss": [2.3, float("nan")]}, K) == [DIVERGED]


def test_a_loss_climbing_well_above_its_best_is_diverged():
    finding = only({"loss": [2.0, 1.5, 1.2, 1.9, 2.6]})
    assert finding.symptom == DIVERGED and "rose" in finding.evidence


def test_a_small_rise_is_not_divergence():
    assert DIVERGED not in symptoms({"loss": [2.0, 1.2, 1.1, 1.15, 1.2]}, K)


def test_a_rising_loss_at_a_tiny_level_is_noise_not_divergence():
    assert symptoms({"loss": [0.5, 0.01, 0.005, 0.006, 0.008, 0.012]}, K) == [HEALTHY]


# --- oscillating, plateau --------------------------------------------------------------

def test_a_loss_swinging_up_and_down_is_oscillating():
    finding = only({"loss": [2.0, 1.2, 0.8, 1.3, 0.7, 1.4, 0.8]})
    assert finding.symptom == OSCILLATING and finding.notebooks == ("03",)


def test_one_bump_is_not_an_oscillation():
    assert OSCILLATING not in symptoms({"loss": [1.0, 0.8, 0.9, 0.7, 0.6, 0.5]}, K)


def test_wiggles_smaller_than_the_swing_threshold_are_not_an_oscillation():
    assert OSCILLATING not in symptoms({"loss": [1.0, 0.98, 0.99, 0.97, 0.98, 0.96, 0.97]}, K)


def test_a_loss_that_stopped_improving_while_high_is_a_plateau():
    finding = only({"loss": [1.5, 1.0, 0.8, 0.8, 0.799, 0.798, 0.8]})
    assert finding.symptom == PLATEAU and finding.notebooks == ("03", "05")


def test_a_flat_loss_after_the_training_set_is_learnt_is_convergence_not_a_plateau():
    assert symptoms({"loss": [0.5, 0.1, 0.05, 0.05, 0.05, 0.05]}, K) == [HEALTHY]


def test_slow_steady_progress_is_not_a_plateau():
    assert symptoms({"loss": [1.0, 0.95, 0.9, 0.85, 0.8]}, K) == [HEALTHY]


# --- overfitting, healthy, too short ------------------------------------------------------

def test_validation_rising_from_its_best_while_training_falls_is_overfitting():
    history = {"loss": [2.0, 1.2, 0.8, 0.5, 0.3, 0.2], "val_loss": [1.9, 1.2, 1.0, 1.05, 1.2, 1.4]}
    finding = only(history)
    assert (finding.symptom, finding.metric) == (OVERFITTING, "val_loss")
    assert "1.000 at epoch 3" in finding.evidence


def test_one_high_validation_epoch_is_not_overfitting():
    history = {"loss": [2.0, 1.2, 0.8, 0.5, 0.3], "val_loss": [1.9, 1.2, 1.0, 0.95, 1.2]}
    assert OVERFITTING not in symptoms(history, K)


def test_a_validation_rise_that_is_small_in_absolute_terms_is_not_overfitting():
    history = {"loss": [1.0, 0.3, 0.1, 0.05, 0.03, 0.02], "val_loss": [0.5, 0.2, 0.15, 0.16, 0.165, 0.17]}
    assert symptoms(history, K) == [HEALTHY]


def test_memorising_random_labels_is_stuck_on_validation_and_overfitting():
    # Notebook 01, Example 1, default init, seed 0 (default mode).
    history = {"loss": [2.32, 2.295, 2.285, 2.266, 2.242, 2.207, 2.157, 2.095, 2.014, 1.909, 1.783, 1.629,
                        1.459, 1.273, 1.087, 0.904, 0.74, 0.598, 0.478, 0.381],
               "val_loss": [2.308, 2.311, 2.312, 2.308, 2.308, 2.316, 2.326, 2.315, 2.326, 2.337, 2.351, 2.384,
                            2.426, 2.473, 2.522, 2.574, 2.629, 2.66, 2.658, 2.677]}
    assert [(finding.symptom, finding.metric) for finding in diagnose(history, K)] == [
        (STUCK, "val_loss"), (OVERFITTING, "val_loss")]


def test_a_run_that_learns_is_healthy():
    finding = only(HEALTHY_RUN)
    assert finding.symptom == HEALTHY and finding.notebooks == ()
    assert "1.925 to 0.080" in finding.evidence


def test_a_nan_in_the_validation_loss_alone_is_no_finding_and_no_crash():
    history = {"loss": [2.0, 1.0, 0.5, 0.3], "val_loss": [2.4, float("nan"), 2.4, 2.4]}
    assert symptoms(history, K) == [HEALTHY]


def test_two_epochs_are_too_short_to_judge():
    assert symptoms({"loss": [2.3, 1.9]}, K) == [TOO_SHORT]
    assert symptoms({"loss": []}, K) == [TOO_SHORT]


# --- the findings and the inputs ------------------------------------------------------------

def test_every_symptom_has_advice_and_every_problem_points_to_a_notebook():
    for (symptom, _metric), (advice, notebooks) in loss_doctor.ADVICE.items():
        assert symptom in loss_doctor.SYMPTOMS and advice
        assert all(number in loss_doctor.NOTEBOOKS for number in notebooks)
        assert bool(notebooks) == (symptom in loss_doctor.PROBLEMS)
    assert {symptom for symptom, _ in loss_doctor.ADVICE} == set(loss_doctor.SYMPTOMS)


def test_a_finding_reads_as_one_sentence_with_its_notebooks():
    text = str(only({"loss": [2.31, 2.30, 2.30, 2.31]}))
    assert text.startswith("stuck at chance (training, epoch 4): the training loss stayed within 0.115")
    assert text.endswith("See notebooks 01 · stuck at ln(10); 03 · learning rate and schedules; "
                         "02 · weight initialization.")


def test_a_keras_history_is_read_like_its_dict():
    history = keras.callbacks.History()
    history.history = dict(HEALTHY_RUN, accuracy=[0.5] * 10)
    assert diagnose(history, K) == diagnose(HEALTHY_RUN, K)
    assert loss_doctor.report(history, K) == str(diagnose(HEALTHY_RUN, K)[0])


@pytest.mark.parametrize("history, words", [
    ([2.3, 2.1], "Keras History or a dict"),
    ({"accuracy": [0.1, 0.2]}, "no 'loss'"),
    ({"loss": ["two", "one"]}, "lists of numbers"),
])
def test_a_history_it_cannot_read_is_a_clear_value_error(history, words):
    with pytest.raises(ValueError, match=words):
        diagnose(history, K)


@pytest.mark.parametrize("num_classes", [1, 0, 2.5, True, "10"])
def test_a_number_of_classes_that_makes_no_sense_is_a_clear_value_error(num_classes):
    with pytest.raises(ValueError, match="at least 2"):
        diagnose(HEALTHY_RUN, num_classes)
    with pytest.raises(ValueError, match="at least 2"):
        LossDoctor(num_classes)


# --- the callback -----------------------------------------------------------------------------

def feed(doctor, history):
    """Plays a history through the callback as Keras would, epoch by epoch."""
    doctor.on_train_begin()
    for epoch in range(len(history["loss"])):
        doctor.on_epoch_end(epoch, {key: values[epoch] for key, values in history.items()})
    doctor.on_train_end()


def test_the_callback_says_a_lasting_symptom_once():
    said = []
    feed(LossDoctor(K, print_fn=said.append), {"loss": [23.6] + [2.311] * 19, "val_loss": [2.31] * 20})
    assert len(said) == 1 and said[0].startswith("Loss doctor, epoch 4: stuck at chance")


def test_the_callback_says_each_new_symptom_when_it_appears():
    said = []
    history = {"loss": [1.5, 1.0, 0.8, 0.8, 0.799, 0.798, 0.79, 0.789],
               "val_loss": [1.4, 1.0, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4]}
    feed(LossDoctor(K, print_fn=said.append), history)
    assert [line.split(":")[1].strip() for line in said] == [OVERFITTING + " (validation, epoch 5)",
                                                            PLATEAU + " (training, epoch 6)"]


def test_the_callback_gives_the_verdict_at_the_end_when_nothing_was_wrong():
    said = []
    feed(LossDoctor(K, print_fn=said.append), HEALTHY_RUN)
    assert len(said) == 1 and said[0].startswith("Loss doctor, after 10 epochs: healthy")


def test_the_callback_starts_afresh_for_each_fit():
    said = []
    doctor = LossDoctor(K, print_fn=said.append)
    stuck = {"loss": [2.31, 2.30, 2.30, 2.31]}
    feed(doctor, stuck)
    feed(doctor, stuck)
    assert len(said) == 2 and len(doctor.reported) == 1


def test_the_callback_works_inside_model_fit():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(K, activation="softmax", kernel_initializer="zeros")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1e-6), loss="sparse_categorical_crossentropy")
    images, labels = np.random.rand(64, 4).astype("float32"), np.arange(64) % K
    said = []
    model.fit(images, labels, epochs=6, verbose=0, callbacks=[LossDoctor(K, print_fn=said.append)])
    assert len(said) == 1 and "epoch 3: stuck at chance" in said[0]
