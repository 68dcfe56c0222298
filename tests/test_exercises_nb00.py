"""Notebook 00's exercise self-checks."""

import math

from course_utils.exercises.nb00 import check_first_loss


def test_right_answer_passes(capsys):
    assert check_first_loss(100, math.log(100))
    assert capsys.readouterr().out.startswith("✅")


def test_wrong_answer_gives_a_hint(capsys):
    assert not check_first_loss(100, 2.302)
    assert "Hint" in capsys.readouterr().out


def test_nonsense_answer_is_explained_not_raised(capsys):
    assert not check_first_loss(10, "two point three")
    assert "number" in capsys.readouterr().out
