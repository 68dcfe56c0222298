"""Self-checks for notebook 02 (weight initialization): each takes the learner's answer first, prints ✅ or ❌
with a hint, and returns True or False."""

from __future__ import annotations

import math

from course_utils.checks import respond

TRUNCATION_FACTOR = 0.87962566103423978  # std of a unit normal cut at ±2, which Keras divides by


def _number(answer) -> float | None:
    try:
        return float(answer)
    except (TypeError, ValueError):
        return None


def _close(answer, expected: float, tolerance: float) -> bool:
    return abs(answer - expected) <= tolerance * abs(expected)


def check_he_std(answer, *, kernel_size: int, in_channels: int, tolerance: float = 0.01) -> bool:
    """Checks the He standard deviation sqrt(2 / fan_in) for a square Conv2D kernel."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the standard deviation as a number, not {answer!r}.")
    fan_in = kernel_size * kernel_size * in_channels
    expected = math.sqrt(2 / fan_in)
    if _close(value, expected, tolerance):
        return respond(True, f"Right: fan_in = {kernel_size}·{kernel_size}·{in_channels} = {fan_in}, "
                             f"sqrt(2/{fan_in}) = {expected:.4f}.")
    return respond(False, f"Not quite ({value:.4g}). Hint: fan_in counts the inputs of one output unit: "
                          "kernel height × kernel width × input channels.")


def check_shrink_factor(answer, *, stddev: float, fan_in: int, tolerance: float = 0.02) -> bool:
    """Checks the factor by which a ReLU layer with N(0, stddev²) weights scales the activation std."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the factor as a number, not {answer!r}.")
    expected = stddev * math.sqrt(fan_in / 2)
    if _close(value, expected, tolerance):
        return respond(True, f"Right: {stddev}·sqrt({fan_in}/2) = {expected:.3f} per layer.")
    return respond(False, f"Not quite ({value:.4g}). Hint: He's rule std = sqrt(2/fan_in) keeps the factor "
                          "at 1; compare your std with it.")


def check_largest_he_weight(answer, tolerance: float = 0.01) -> bool:
    """Checks the largest |w| Keras' ``he_normal`` can draw, in units of sqrt(2 / fan_in)."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the bound as a number, not {answer!r}.")
    expected = 2 / TRUNCATION_FACTOR
    if _close(value, expected, tolerance):
        return respond(True, f"Right: 2 / {TRUNCATION_FACTOR:.4f} = {expected:.3f} He standard deviations.")
    return respond(False, f"Not quite ({value:.4g}). Hint: the cut is at 2 standard deviations of the "
                          f"normal Keras draws from, whose std is the He value divided by {TRUNCATION_FACTOR:.4f}.")


def check_where_gradients_vanish(answer, stats) -> bool:
    """Checks ``"first"`` or ``"last"``: which end of the network has the smallest kernel gradients.

    Args:
        answer: ``"first"`` (near the input) or ``"last"`` (near the output).
        stats: the measured per-layer statistics (``probes.layer_statistics``), the output layer last.
    """
    if answer not in ("first", "last"):
        return respond(False, f"Answer 'first' or 'last', not {answer!r}.")
    hidden = [row.gradient_norm for row in stats[:-1]]
    if len(hidden) < 2:
        raise ValueError("stats must hold at least two hidden layers and the output layer")
    smallest = min(range(len(hidden)), key=hidden.__getitem__)
    expected = "first" if smallest < len(hidden) / 2 else "last"
    detail = (f"the smallest gradient norm, {hidden[smallest]:.2g}, is in layer {smallest + 1} of {len(hidden)}; "
              f"the largest is {max(hidden):.2g}")
    if answer == expected:
        return respond(True, f"Right: {detail}.")
    return respond(False, f"Not this time: {detail}. Look at the gradient panel again.")
