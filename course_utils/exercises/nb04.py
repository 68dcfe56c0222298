"""Self-checks for notebook 04: normalization, augmentation and data problems."""

from __future__ import annotations

import math

from course_utils.checks import respond


def _number(answer):
    if isinstance(answer, bool):
        return None
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def check_standardized(answer, *, pixel: float, mean: float, std: float, tolerance: float = 0.01) -> bool:
    """A pixel standardized with the training set's statistics: (pixel − mean) / std."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the standardized value as a number, not {answer!r}.")
    expected = (pixel - mean) / std
    if abs(value - expected) <= tolerance:
        return respond(True, f"Right: ({pixel:g} − {mean:.3f}) / {std:.3f} = {expected:.3f}. The validation "
                             "image gets the training set's mean and std, never its own.")
    if abs(value - pixel) <= tolerance:
        return respond(False, "That is the raw pixel: subtract the training mean, then divide by the training std.")
    return respond(False, f"Not quite ({value:.3f}). Hint: subtract the training mean first, then divide by the "
                          "training std.")


def check_class_weight(answer, *, count: int, total: int, num_classes: int, tolerance: float = 0.01) -> bool:
    """The "balanced" class weight of a class with ``count`` of ``total`` examples: total / (K · count)."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the weight as a number, not {answer!r}.")
    expected = total / (num_classes * count)
    if abs(value - expected) <= tolerance * max(1.0, expected):
        return respond(True, f"Right: {total} / ({num_classes} × {count}) = {expected:.2f}. The class's "
                             f"{count} examples then weigh as much in the loss as {total / num_classes:.0f} "
                             "examples of weight 1: as much as an average class.")
    return respond(False, f"Not quite ({value:.3g}). Hint: every class should add up to the same total weight, "
                          f"N / K = {total} / {num_classes}; divide that among the class's examples.")


def check_noise_ceiling(answer, *, fraction: float, tolerance: float = 0.01) -> bool:
    """The training accuracy against noisy labels of a model that predicts every true class right."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the accuracy as a number between 0 and 1, not {answer!r}.")
    if value > 1:
        value /= 100  # a percentage
    expected = 1 - fraction
    if abs(value - expected) <= tolerance:
        return respond(True, f"Right: {expected:.2f}. A model that gets every digit right disagrees with the "
                             f"{fraction:.0%} of flipped labels; training accuracy above {expected:.2f} means it "
                             "has learnt some wrong labels by heart.")
    return respond(False, f"Not quite ({value:.2f}). Hint: the flipped labels are wrong on purpose; a model "
                          "that is right about the digit is wrong about those labels.")


def check_most_changed_digit(answer, *, accuracy_drop: dict) -> bool:
    """The digit whose validation accuracy fell most under a transform, as measured in the notebook."""
    worst = max(accuracy_drop, key=accuracy_drop.get)
    try:
        guess = int(answer)
    except (TypeError, ValueError):
        return respond(False, f"Give one digit, 0 to 9, not {answer!r}.")
    if guess not in accuracy_drop:
        return respond(False, f"{guess} is not one of the digits measured.")
    if guess == worst:
        return respond(True, f"Right: digit {worst} lost most ({accuracy_drop[worst]:.2f} of its accuracy).")
    return respond(False, f"Not this run's answer: digit {guess} lost {accuracy_drop[guess]:.2f}, digit {worst} "
                          f"lost most ({accuracy_drop[worst]:.2f}). Look at the mirrored images above: which "
                          "digit looks least like itself?")
