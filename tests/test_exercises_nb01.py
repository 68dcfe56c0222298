"""Notebook 01's exercise self-checks: the learner's answer against the loss doctor's."""

import keras
import pytest

from course_utils.exercises import nb01
from course_utils.loss_doctor import DIVERGED, WORSE_THAN_CHANCE

K = 10
# A real digits run of notebook 01's correct set-up (seed 0, 10 epochs).
HEALTHY_RUN = {"loss": [1.925, 0.502, 0.238, 0.173, 0.149, 0.141, 0.111, 0.091, 0.087, 0.080],
               "val_loss": [1.001, 0.302, 0.243, 0.213, 0.179, 0.172, 0.150, 0.149, 0.129, 0.121]}


def test_check_symptom_accepts_the_doctors_symptom(capsys):
    mystery = {"loss": [2.05, 1.41, 0.96, 0.62, 0.41, 0.27, 0.18], "val_loss": [1.92, 1.45, 1.21, 1.18, 1.30, 1.49, 1.71]}
    assert nb01.check_symptom(" Overfitting ", mystery, K)
    assert capsys.readouterr().out.startswith("✅ Right: overfitting")
    assert not nb01.check_symptom("plateau", mystery, K)
    assert "Hint" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [None, 3, "stuck"])
def test_check_symptom_explains_an_answer_that_is_not_a_symptom(capsys, answer):
    assert not nb01.check_symptom(answer, HEALTHY_RUN, K)
    assert "one of the doctor's symptoms" in capsys.readouterr().out


def test_check_shows_judges_a_run(capsys):
    history = keras.callbacks.History()
    history.history = {"loss": [8.0, 9.0, 9.9, 9.99]}
    assert nb01.check_shows(history, WORSE_THAN_CHANCE, K)
    assert not nb01.check_shows(history, DIVERGED, K)
    assert "'worse than chance'" in capsys.readouterr().out.splitlines()[-1]
    assert not nb01.check_shows(None, DIVERGED, K)
    assert "Run your guess first" in capsys.readouterr().out
