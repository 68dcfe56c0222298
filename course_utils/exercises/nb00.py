"""Self-checks for notebook 00's exercises."""

from __future__ import annotations

import math

from course_utils.checks import respond


def check_first_loss(num_classes: int, answer: float, tolerance: float = 0.01) -> bool:
    """Checks an answer for the loss a fresh K-class classifier should start near."""
    try:
        answer = float(answer)
    except (TypeError, ValueError):
        return respond(False, f"Give the loss as a number, not {answer!r}.")
    expected = math.log(num_classes)
    if abs(answer - expected) <= tolerance:
        return respond(True, f"Right: with {num_classes} classes a uniform guess costs "
                             f"ln({num_classes}) = {expected:.4f}.")
    return respond(False, f"Not quite ({answer:.4f}). Hint: a uniform guess gives every class probability "
                          f"1/{num_classes}; the cross-entropy is -ln of the probability given to the true class.")
