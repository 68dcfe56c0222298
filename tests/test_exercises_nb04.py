"""Notebook 04's self-checks: right answers pass, wrong ones fail with a hint."""

from course_utils.exercises import nb04


def test_standardized(capsys):
    assert nb04.check_standardized(1.5, pixel=0.5, mean=0.2, std=0.2)
    assert not nb04.check_standardized(0.5, pixel=0.5, mean=0.2, std=0.2)
    assert "raw pixel" in capsys.readouterr().out
    assert not nb04.check_standardized("abc", pixel=0.5, mean=0.2, std=0.2)


def test_class_weight():
    assert nb04.check_class_weight(5.0, count=10, total=500, num_classes=10)
    assert not nb04.check_class_weight(0.5, count=10, total=500, num_classes=10)
    assert not nb04.check_class_weight(None, count=10, total=500, num_classes=10)


def test_noise_ceiling_accepts_a_share_or_a_percentage():
    assert nb04.check_noise_ceiling(0.8, fraction=0.2)
    assert nb04.check_noise_ceiling(80, fraction=0.2)
    assert not nb04.check_noise_ceiling(1.0, fraction=0.2)
    assert not nb04.check_noise_ceiling(True, fraction=0.2)


def test_most_changed_digit(capsys):
    drops = {digit: 0.1 for digit in range(10)} | {3: 0.6}
    assert nb04.check_most_changed_digit(3, accuracy_drop=drops)
    assert not nb04.check_most_changed_digit(6, accuracy_drop=drops)
    assert "digit 3 lost most" in capsys.readouterr().out
    assert not nb04.check_most_changed_digit("six", accuracy_drop=drops)
