import math

import pytest

from course_utils.exercises import nb02
from course_utils.probes import LayerStats


def layers(gradient_norms):
    """Hidden layers with these gradient norms, then an output layer."""
    rows = [LayerStats(f"conv{index}", 0.0, 1.0, norm, 0.1) for index, norm in enumerate(gradient_norms)]
    return rows + [LayerStats("logits", 0.0, 1.0, 5.0, 0.1)]


def test_he_std(capsys):
    assert nb02.check_he_std(math.sqrt(2 / 576), kernel_size=3, in_channels=64)
    assert not nb02.check_he_std(math.sqrt(2 / 64), kernel_size=3, in_channels=64)  # forgot the kernel's area
    assert not nb02.check_he_std(None, kernel_size=3, in_channels=64)
    assert "576" in capsys.readouterr().out


def test_shrink_factor():
    assert nb02.check_shrink_factor(0.424, stddev=0.05, fan_in=144)
    assert not nb02.check_shrink_factor(0.05 * math.sqrt(144), stddev=0.05, fan_in=144)
    assert not nb02.check_shrink_factor("small", stddev=0.05, fan_in=144)


def test_largest_he_weight():
    assert nb02.check_largest_he_weight(2.27)
    assert not nb02.check_largest_he_weight(2.0)


def test_where_gradients_vanish_reads_the_measurement():
    assert nb02.check_where_gradients_vanish("first", layers([1e-9, 1e-6, 1e-3, 1.0]))
    assert nb02.check_where_gradients_vanish("last", layers([1.0, 1e-3, 1e-6, 1e-9]))
    assert not nb02.check_where_gradients_vanish("last", layers([1e-9, 1e-6, 1e-3, 1.0]))
    assert not nb02.check_where_gradients_vanish("middle", layers([1.0, 1.0]))
    with pytest.raises(ValueError, match="two hidden layers"):
        nb02.check_where_gradients_vanish("first", layers([1.0]))
