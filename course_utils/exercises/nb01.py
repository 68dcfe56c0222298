"""Self-checks for notebook 01's exercises: naming a symptom, and a run that shows one."""

from __future__ import annotations

import math

from course_utils import loss_doctor
from course_utils.checks import respond


def check_symptom(answer, history, num_classes: int) -> bool:
    """Checks a learner's name for the symptom of ``history`` against the doctor's."""
    found = loss_doctor.diagnose(history, num_classes)
    names = ", ".join(repr(name) for name in loss_doctor.SYMPTOMS)
    if not isinstance(answer, str) or answer.strip().lower() not in loss_doctor.SYMPTOMS:
        return respond(False, f"Answer with one of the doctor's symptoms: {names}; got {answer!r}.")
    answer = answer.strip().lower()
    match = next((finding for finding in found if finding.symptom == answer), None)
    if match:
        others = [finding.symptom for finding in found if finding is not match]
        also = f" It also finds: {', '.join(others)}." if others else ""
        return respond(True, f"Right: {match.symptom} — {match.evidence}.{also}")
    return respond(False, f"The doctor does not see {answer!r} here. Hint: compare where the curve ends "
                          f"with ln({num_classes}) = {math.log(num_classes):.3f}, see whether it still "
                          "moves, and whether the validation loss follows the training loss.")


def check_shows(history, symptom: str, num_classes: int) -> bool:
    """Checks that a learner's run shows ``symptom``, e.g. after guessing which bug causes it."""
    if history is None or not hasattr(history, "history"):
        return respond(False, "Run your guess first: pass the History that model.fit returned.")
    found = loss_doctor.symptoms(history, num_classes)
    if symptom in found:
        return respond(True, f"Your run shows {symptom!r}, as the doctor confirms.")
    return respond(False, f"The doctor finds {', '.join(map(repr, found))} in your run, not {symptom!r}.")
