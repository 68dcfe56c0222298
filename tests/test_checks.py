import math

from course_utils.checks import check_first_loss


def test_right_answer_passes(capsys):
    assert check_first_loss(100, math.log(100))
    assert capsys.readouterr().out.startswith("✅")


def test_wrong_answer_gives_a_hint(capsys):
    assert not check_first_loss(100, 2.302)
    assert "Hint" in capsys.readouterr().out


def test_nonsense_answer_is_explained_not_raised(capsys):
    assert not check_first_loss(10, "two point three")
    assert "number" in capsys.readouterr().out


def test_verdict_table_shows_each_measured_verdict():
    from course_utils.checks import verdict_table

    table = verdict_table([("a", "1.0", True), ("b", "2.0", False)]).data.splitlines()
    assert table[0] == "| claim | measurement | verdict |"
    assert table[2] == "| a | 1.0 | ✅ holds |" and table[3] == "| b | 2.0 | ❌ does not hold |"
