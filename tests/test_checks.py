"""The answer printer every exercise self-check uses."""

from course_utils.checks import respond


def test_respond_marks_the_answer_and_returns_it(capsys):
    assert respond(True, "right") is True and respond(False, "not quite") is False
    assert capsys.readouterr().out.splitlines() == ["✅ right", "❌ not quite"]
