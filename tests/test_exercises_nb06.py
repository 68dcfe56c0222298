from course_utils.exercises import nb06


def test_unfrozen_params_right_answer(capsys):
    assert nb06.check_unfrozen_params(3 * 3 * 64 * 64 + 2 * 64)
    assert capsys.readouterr().out.startswith("✅")


def test_unfrozen_params_counting_moving_statistics_gets_a_hint(capsys):
    assert not nb06.check_unfrozen_params(3 * 3 * 64 * 64 + 4 * 64)
    assert "moving mean" in capsys.readouterr().out


def test_unfrozen_params_wrong_and_nonsense_answers(capsys):
    assert not nb06.check_unfrozen_params(1000)
    assert "Hint" in capsys.readouterr().out
    assert not nb06.check_unfrozen_params(None)
    assert not nb06.check_unfrozen_params(True)
    assert "whole number" in capsys.readouterr().out


def test_recompile_guess_is_judged_against_the_measurement(capsys):
    assert nb06.check_recompile_guess(False, changed=False)
    assert not nb06.check_recompile_guess(True, changed=False)
    assert nb06.check_recompile_guess(True, changed=True)
    assert not nb06.check_recompile_guess("no", changed=False)
    out = capsys.readouterr().out.splitlines()
    assert [line[0] for line in out] == ["✅", "❌", "✅", "❌"]


def test_last_two_blocks(capsys):
    assert nb06.last_two_blocks() == 7
    assert nb06.check_last_two_blocks(7)
    assert not nb06.check_last_two_blocks(6)
    assert "pooling" in capsys.readouterr().out.splitlines()[-1]
    assert not nb06.check_last_two_blocks(10)
    assert not nb06.check_last_two_blocks("seven")
