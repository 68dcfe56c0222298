"""Self-checks for notebook 03 (learning rate and schedules): each takes the learner's answer first,
prints ✅ or ❌ with a hint, and returns True or False."""

from __future__ import annotations

import math

import numpy as np

from course_utils.checks import respond
from course_utils.schedules import step_decay


def _whole_number(answer) -> int | None:
    try:
        number = float(answer)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def check_first_drop(answer) -> bool:
    """Checks the epoch, counted from 1 as Keras prints it, at which *High training loss*'s ``step_decay``
    first gives less than its initial rate."""
    expected = next(epoch for epoch in range(100) if step_decay(epoch) < step_decay(0)) + 1
    given = _whole_number(answer)
    if given is None:
        return respond(False, f"Give an epoch number such as 12, not {answer!r}.")
    if given == expected:
        return respond(True, f"Right: epoch {expected} (index {expected - 1}), one epoch before the "
                             "10th boundary, because of the 1 + in floor((1 + epoch) / epochs_drop).")
    return respond(False, f"Not epoch {given}. Hint: Keras passes the index, from 0; compute "
                          "floor((1 + epoch) / 10) for epoch = 8, 9 and 10.")


def check_schedule_function(schedule) -> bool:
    """Checks a schedule for the exercise: 0.002 for epochs 0–4, then 0.0002, each a Python float."""
    if not callable(schedule):
        return respond(False, f"Give a function of the epoch, not {type(schedule).__name__}.")
    for epoch in range(12):
        expected = 0.002 if epoch < 5 else 0.0002
        try:
            rate = schedule(epoch)
        except Exception as error:  # noqa: BLE001 - the learner's function: say what it raised
            return respond(False, f"Your function raised {type(error).__name__}: {error} at epoch {epoch}.")
        if not isinstance(rate, (float, np.float32, np.float64)):
            return respond(False, f"At epoch {epoch} it returned {type(rate).__name__} {rate!r}; Keras 3's "
                                  "LearningRateScheduler wants a Python float, not an int, an array or a tensor.")
        if not math.isclose(rate, expected, rel_tol=1e-6):
            return respond(False, f"At epoch {epoch} (counted from 0) it gave {rate}; expected {expected}. "
                                  "Hint: the 6th epoch has index 5.")
    return respond(True, "Right: 0.002 for epochs 0–4, then 0.0002, and a float every time.")


def check_update_count(answer, *, num_examples: int, batch_size: int, epochs: int) -> bool:
    """Checks the number of weight updates ``epochs`` epochs make over ``num_examples`` examples."""
    expected = epochs * math.ceil(num_examples / batch_size)
    given = _whole_number(answer)
    if given is None:
        return respond(False, f"Give a whole number of updates, not {answer!r}.")
    if given == expected:
        return respond(True, f"Right: {epochs} × ceil({num_examples} / {batch_size}) = {expected} updates.")
    return respond(False, f"Not {given}. Hint: one update per batch; the last batch of an epoch may be "
                          "smaller but still counts.")
