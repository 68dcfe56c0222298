"""Self-checks for notebook 05 · capacity and regularization.

Each check takes the learner's answer first, prints ✅ or ❌ with a hint, and returns True or False.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from course_utils.checks import respond

FIT_KINDS = ("underfitting", "overfitting", "neither")


def _number(answer) -> float | None:
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(answer):
        return None
    return float(answer)


def check_fit_kind(answer, *, underfits: bool, overfits: bool) -> bool:
    """Checks a learner's name for a run: "underfitting", "overfitting" or "neither".

    Args:
        answer: the learner's word.
        underfits: the notebook's rule for underfitting, applied to the run.
        overfits: the notebook's rule for overfitting, applied to the run.
    """
    if not isinstance(answer, str) or answer.strip().lower() not in FIT_KINDS:
        return respond(False, f"Answer with one of {', '.join(map(repr, FIT_KINDS))}; got {answer!r}.")
    answer = answer.strip().lower()
    expected = "underfitting" if underfits else "overfitting" if overfits else "neither"
    if answer == expected:
        return respond(True, {
            "underfitting": "Right: it does not fit even its own training images; the training loss stays high.",
            "overfitting": "Right: the training loss keeps falling while the validation loss has turned upwards.",
            "neither": "Right: it fits its training images and the validation loss has not turned.",
        }[expected])
    return respond(False, "Not by the notebook's rules. Look at the training curve first (does it get low?), "
                          "then at the validation curve (does it rise again after its lowest point?).")


def check_l2_penalty(answer, kernel, factor: float, tolerance: float = 1e-3) -> bool:
    """Checks the L2 penalty a learner computed for ``kernel`` with ``regularizers.l2(factor)``.

    Keras adds ``factor * sum(kernel ** 2)`` to the loss (no ½, no division by the number of weights).
    """
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the penalty as a number; got {answer!r}.")
    expected = float(factor * np.sum(np.square(np.asarray(kernel, dtype=np.float64))))
    if abs(value - expected) <= tolerance * max(1.0, abs(expected)):
        return respond(True, f"Right: {factor:g} × Σ w² = {expected:.4f}, added to every loss Keras reports.")
    if abs(value - expected / 2) <= tolerance * max(1.0, abs(expected)):
        return respond(False, "That is half of it: Keras's l2(factor) has no ½ in front of Σ w².")
    return respond(False, f"Not quite ({value:.4f}). Hint: square every weight of the kernel, add them all up, "
                          "and multiply by the factor given to regularizers.l2.")


def check_dropout_scale(answer, rate: float = 0.5) -> bool:
    """Checks the factor by which Dropout(rate) multiplies the inputs it keeps, in training mode."""
    value = _number(answer)
    if value is None:
        return respond(False, f"Give the factor as a number; got {answer!r}.")
    expected = 1 / (1 - rate)
    if abs(value - expected) <= 1e-6:
        return respond(True, f"Right: 1 / (1 − {rate:g}) = {expected:g}. The kept inputs are scaled up during "
                             "training so that at inference, with nothing dropped, the layer needs no change.")
    if abs(value - (1 - rate)) <= 1e-6:
        return respond(False, f"{value:g} is the share kept, not the factor. Keras scales the kept inputs "
                              "during training, so that their expected sum stays the same.")
    return respond(False, "Not quite. Hint: a share 1 − rate of the inputs survives; by what factor must they "
                          "grow so that their expected sum stays what it was?")


def check_stop_epoch(answer, *, best_epoch: int, patience: int, epochs: int) -> bool:
    """Checks the (1-based) epoch after which ``EarlyStopping(patience=...)`` ends training, given the
    epoch with the lowest monitored value and the number of epochs asked for."""
    value = _number(answer)
    if value is None or not value.is_integer():
        return respond(False, f"Give the epoch as a whole number, counted from 1; got {answer!r}.")
    expected = min(best_epoch + patience, epochs)
    if int(value) == expected:
        return respond(True, f"Right: epoch {expected}. After the best epoch ({best_epoch}) it waits "
                             f"{patience} epochs without a better value, then stops; restore_best_weights "
                             f"then puts back the weights of epoch {best_epoch}.")
    if int(value) == best_epoch:
        return respond(False, f"Epoch {best_epoch} is the epoch whose weights are restored; training itself "
                              "goes on a little longer. How long does it wait?")
    return respond(False, "Not quite. Hint: every epoch without a new lowest value adds one to a counter; "
                          "training stops once the counter reaches patience.")
