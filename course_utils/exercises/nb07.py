"""Self-checks for notebook 07, the clinic: the learner's diagnosis of each patient, and the learner's fix."""

from __future__ import annotations

import inspect

from course_utils.checks import respond
from course_utils.patients import CAUSES, PATIENTS, TREATED_IN, notebook_link

HINTS = {  # patient → where the evidence is, without naming the cause
    "Ada": "the doctor says stuck, yet data, labels and rate are the small network's. Probe the fresh "
           "network: how big are the gradients of its first layers, and its activations layer after layer?",
    "Bo": "the first epoch learns something, then nothing moves. Plot history['learning_rate'] per epoch.",
    "Cy": "read the first epoch's loss next to ln(10), then look at the range of the pixel values the model gets.",
    "Dee": "the doctor sees nothing wrong, yet the test accuracy is low. Look at a batch of training images "
           "as the model sees them: would you still name every digit?",
    "Eli": "the first epoch starts near ln(10) and the model is the course's own. Show a few training images "
           "with their labels.",
    "Fay": "nothing diverges and nothing is stuck: the loss falls, slowly, and stays high on training data too. "
           "What can this network represent, and what does global average pooling throw away on 16×16 digits?",
    "Gus": "two things are wrong. Fix the one the probes show first, visit again, and read the new symptom.",
}


def _patient(key):
    if key not in PATIENTS:
        raise ValueError(f"no patient {key!r}; the patients are {', '.join(PATIENTS)}")
    return PATIENTS[key]


def _named(answer) -> set[str] | None:
    if isinstance(answer, str):
        answer = [answer]
    try:
        names = {str(name).strip().lower() for name in answer}
    except TypeError:
        return None
    return names if names and names <= set(CAUSES) else None


def check_diagnosis(key: str, answer) -> bool:
    """Checks the cause (or causes: a list) the learner names for patient ``key``."""
    patient = _patient(key)
    named = _named(answer) if answer is not None else None
    choices = ", ".join(repr(cause) for cause in CAUSES)
    if named is None:
        return respond(False, f"Name the cause as one of {choices} (a list for several); got {answer!r}.")
    causes = set(patient.causes)
    if named == causes:
        treated = ", ".join(notebook_link(TREATED_IN[cause][0]) for cause in patient.causes)
        return respond(True, f"Right: {key}'s trouble is {' and '.join(patient.causes)}, treated in {treated}.")
    if named & causes:
        missing = len(causes - named)
        extra = named - causes
        words = f"{len(named & causes)} of the causes right"
        if missing:
            words += f"; {missing} more to find"
        if extra:
            words += f"; not {', '.join(sorted(extra))}"
        return respond(False, f"{words}. Hint: {HINTS[key]}")
    pointers = ", ".join(notebook_link(TREATED_IN[cause][0]) for cause in patient.causes)
    return respond(False, f"Not {', '.join(sorted(named))}. Hint: {HINTS[key]} The cause is treated in {pointers}.")


def check_fix(key: str, changes: dict | None, seed: int = 0) -> bool:
    """Trains patient ``key`` with the learner's changes (one seed) and checks the held-out target.

    Args:
        key: the patient.
        changes: the set-up's arguments to change, e.g. ``{"learning_rate": 0.001}``; an empty dict
            or ``None`` trains nothing.
        seed: the random seed of the check's run.
    """
    patient = _patient(key)
    arguments = [name for name in inspect.signature(patient.set_up).parameters if name != "seed"]
    if not changes:
        return respond(False, f"Write your changes to {key}'s set-up in the dict, then run this cell again; "
                              f"its arguments are {', '.join(arguments)}.")
    unknown = sorted(set(changes) - set(arguments))
    if unknown:
        return respond(False, f"{key}'s set-up has no argument {', '.join(map(repr, unknown))}; "
                              f"it has {', '.join(arguments)}.")
    try:
        visit = patient.visit(seed, **changes)
    except Exception as error:  # noqa: BLE001 - a learner's value that Keras refuses is shown, not raised
        return respond(False, f"The set-up failed with these changes: {type(error).__name__}: {error}")
    accuracy = visit.test_accuracy
    if accuracy >= patient.target:
        return respond(True, f"Treated: {accuracy:.1%} of the held-out test images right (target "
                             f"{patient.target:.0%}, seed {seed}); the doctor now says {', '.join(visit.doctor())}.")
    return respond(False, f"Not yet: {accuracy:.1%} of the held-out test images right, the target is "
                          f"{patient.target:.0%} (seed {seed}); the doctor says {', '.join(visit.doctor())}. "
                          f"Hint: {HINTS[key]}")

