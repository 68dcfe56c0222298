"""The loss doctor: reads a training history and names what is wrong with it.

``diagnose(history, num_classes)`` returns :class:`Finding` objects such as "stuck at chance"
or "overfitting", each with the numbers it saw, plain-language advice and the notebooks that
treat it. ``LossDoctor`` is a Keras callback that says the same during training, once per
symptom. ``report`` gives the verdict as text, for a knob panel's ``report=``.

Chance is ln(K), the loss of a uniform guess over K classes. The thresholds on the loss below
are fractions of ln(K) or of the loss itself, so they mean the same for 2 classes as for 1000.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import keras


# --- symptoms, in the order the doctor reports them ---------------------------------
DIVERGED = "diverged"
STUCK = "stuck at chance"
WORSE_THAN_CHANCE = "worse than chance"
OSCILLATING = "oscillating"
PLATEAU = "plateau"
OVERFITTING = "overfitting"
HEALTHY = "healthy"
TOO_SHORT = "too short to judge"
SYMPTOMS = (DIVERGED, STUCK, WORSE_THAN_CHANCE, OSCILLATING, PLATEAU, OVERFITTING, HEALTHY, TOO_SHORT)
PROBLEMS = SYMPTOMS[:6]

# --- thresholds ----------------------------------------------------------------------
CHANCE_TOLERANCE = 0.05  # × ln(K): "near chance" is within 5% of ln(K), ±0.115 for 10 classes
MIN_EPOCHS = 3  # fewer epochs show a start, not a trend
STUCK_EPOCHS = 3  # epochs in a row near chance before it counts: one or two can be a slow start
RISE_FACTOR = 1.5  # a loss 50% above its best that rose in each of the last epochs is climbing, not noise
SWING = 0.05  # × the loss: a change between epochs smaller than 5% is noise, a larger one a swing
OSCILLATION_WINDOW = 6  # the last epochs in which swings are counted
REVERSALS = 3  # one bump turns twice (down, up, down); a third turn makes it an oscillation
PLATEAU_EPOCHS = 4  # a plateau is this many epochs without progress
PLATEAU_GAIN = 0.01  # × the loss: less than 1% better over PLATEAU_EPOCHS is no progress
LOW_LOSS = 0.1  # × ln(K): below this the training set is learnt, and flatness there is convergence
OVERFIT_RISE = 0.1  # × the best validation loss: 10% above its best, the validation loss has turned
OVERFIT_MIN_RISE = 0.02  # × ln(K): and by this much at least, so that noise on tiny losses does not count
OVERFIT_EPOCHS = 2  # the validation loss must stay up this many epochs: one high epoch is noise

NOTEBOOKS = {
    "01": "01 · stuck at ln(10)",
    "02": "02 · weight initialization",
    "03": "03 · learning rate and schedules",
    "04": "04 · normalization and augmentation",
    "05": "05 · capacity and regularization",
    "06": "06 · transfer learning",
}

ADVICE = {
    (STUCK, "loss"): (
        "The model does no better than a uniform guess. Check, in this order: the learning "
        "rate (too high kills the ReLUs, too low barely moves), inputs scaled to [0, 1], labels that "
        "match their images, an output activation that fits the loss.", ("01", "03", "02")),
    (STUCK, "val_loss"): (
        "The training loss falls but the validation loss never beats a uniform guess: the model "
        "memorises the training images instead of learning what carries over. Check that labels "
        "match their images and that validation data is prepared like training data; with random "
        "labels there is nothing else to learn.", ("01", "05")),
    (DIVERGED, "loss"): (
        "Lower the learning rate, scale the inputs, and pair the output with the loss: softmax with "
        "from_logits=False, no activation with from_logits=True.", ("01", "03")),
    (WORSE_THAN_CHANCE, "loss"): (
        "A uniform guess would do better: the loss is probably not reading the outputs it expects, "
        "e.g. raw scores (no softmax) read as probabilities. Pair the output with the loss.", ("01",)),
    (OSCILLATING, "loss"): (
        "The steps overshoot: lower the learning rate, or let a schedule lower it; a larger batch "
        "smooths the steps too.", ("03",)),
    (PLATEAU, "loss"): (
        "Training stopped making progress with the loss still high: lower the learning rate now "
        "(a schedule, ReduceLROnPlateau), or the model is too small or too regularised.", ("03", "05")),
    (OVERFITTING, "val_loss"): (
        "The model learns the training images by heart: more data or augmentation, regularisation "
        "(dropout, L2), stopping at the best epoch, or a pretrained model on little data.", ("05", "04", "06")),
    (HEALTHY, "loss"): ("Nothing to treat.", ()),
    (TOO_SHORT, "loss"): ("Train a few epochs more before judging.", ()),
}


@dataclass(frozen=True)
class Finding:
    """One symptom the doctor found.

    Attributes:
        symptom: one of ``SYMPTOMS``.
        metric: the history key it was seen in, ``"loss"`` or ``"val_loss"``.
        epoch: the (1-based) epoch at which the evidence ends.
        evidence: what was measured, in words and numbers.
        advice: what to try.
        notebooks: the course notebooks that treat it, e.g. ``("01", "03")``.
    """

    symptom: str
    metric: str
    epoch: int
    evidence: str
    advice: str
    notebooks: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = "validation" if self.metric == "val_loss" else "training"
        text = f"{self.symptom} ({where}, epoch {self.epoch}): {self.evidence}. {self.advice}"
        if self.notebooks:
            label = "notebook" if len(self.notebooks) == 1 else "notebooks"
            text += f" See {label} " + "; ".join(NOTEBOOKS[number] for number in self.notebooks) + "."
        return text


def diagnose(history, num_classes: int) -> list[Finding]:
    """Names the symptoms in a training history; never an empty list.

    Args:
        history: a Keras ``History`` or a dict of lists with at least ``"loss"``
            (``"val_loss"`` adds the validation checks).
        num_classes: K, the number of classes; chance is ln(K).

    Returns:
        The problems found (diverged, stuck at chance, worse than chance, oscillating,
        plateau, overfitting), or a single "healthy" or "too short to judge".
    """
    values = _metric_lists(history)
    chance = _chance(num_classes)
    loss, val_loss = values["loss"], values.get("val_loss", [])
    diverged = _diverged(loss, chance)
    if diverged:
        return [diverged]
    if len(loss) < MIN_EPOCHS:
        return [_finding(TOO_SHORT, "loss", len(loss), f"only {len(loss)} epoch(s) of training")]
    at_chance = _stuck(loss, val_loss, chance) or _worse_than_chance(loss, chance)
    if at_chance:
        findings = [at_chance]
    else:
        findings = [_oscillating(loss, chance) or _plateau(loss, chance),
                    _validation_at_chance(loss, val_loss, chance)]
    findings.append(_overfitting(loss, val_loss, chance))
    findings = [finding for finding in findings if finding is not None]
    return findings or [_healthy(loss, val_loss, chance) or _not_yet(loss, chance)]


def report(history, num_classes: int) -> str:
    """The doctor's verdict as plain text, one finding a line."""
    return "\n".join(str(finding) for finding in diagnose(history, num_classes))


def symptoms(history, num_classes: int) -> list[str]:
    """The names of the symptoms found, e.g. ``["stuck at chance"]``."""
    return [finding.symptom for finding in diagnose(history, num_classes)]


class LossDoctor(keras.callbacks.Callback):
    """Diagnoses the history so far at each epoch end and says each new problem once.

    A symptom seen in one metric is reported the first time it appears, never again in the
    same run. When training ends without any problem reported, the final verdict is said.

    Args:
        num_classes: K, the number of classes.
        print_fn: where the messages go (``print`` by default).

    Attributes:
        reported: the findings said so far in the current run.
        values: the metrics logged so far in the current run.
    """

    def __init__(self, num_classes: int, *, print_fn: Callable[[str], None] = print):
        super().__init__()
        _chance(num_classes)
        self.num_classes, self.print_fn = num_classes, print_fn
        self.reported: list[Finding] = []
        self.values: dict[str, list[float]] = {}

    def on_train_begin(self, logs=None):
        self.reported, self.values = [], {}

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.values.setdefault(key, []).append(float(value))
        if "loss" not in self.values:
            return
        said = {(finding.symptom, finding.metric) for finding in self.reported}
        for finding in diagnose(self.values, self.num_classes):
            if finding.symptom in PROBLEMS and (finding.symptom, finding.metric) not in said:
                self.reported.append(finding)
                self.print_fn(f"Loss doctor, epoch {epoch + 1}: {finding}")

    def on_train_end(self, logs=None):
        if not self.reported and self.values.get("loss"):
            verdict = diagnose(self.values, self.num_classes)[0]
            self.print_fn(f"Loss doctor, after {len(self.values['loss'])} epochs: {verdict}")


# --- the checks --------------------------------------------------------------------------

def _metric_lists(history) -> dict[str, list[float]]:
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise ValueError("history must be a Keras History or a dict of lists such as "
                         f"{{'loss': [2.3, 2.1], 'val_loss': [2.3, 2.2]}}; got {type(history).__name__}")
    if "loss" not in values:
        raise ValueError(f"history has no 'loss' to diagnose; its keys are {sorted(values)}")
    try:
        return {key: [float(value) for value in series] for key, series in values.items()
                if key in ("loss", "val_loss")}
    except (TypeError, ValueError) as error:
        raise ValueError(f"history's 'loss' and 'val_loss' must be lists of numbers ({error})") from None


def _chance(num_classes: int) -> float:
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be a whole number of at least 2, got {num_classes!r}")
    return math.log(num_classes)


def _finding(symptom: str, metric: str, epoch: int, evidence: str) -> Finding:
    advice, notebooks = ADVICE[symptom, metric]
    return Finding(symptom, metric, epoch, evidence, advice, notebooks)


def _span(values: Sequence[float]) -> str:
    low, high = min(values), max(values)
    return f"{low:.3f}" if f"{low:.3f}" == f"{high:.3f}" else f"{low:.3f}–{high:.3f}"


def _diverged(loss: list[float], chance: float) -> Finding | None:
    for index, value in enumerate(loss):
        if not math.isfinite(value):
            return _finding(DIVERGED, "loss", index + 1, f"the training loss became {value} at epoch {index + 1}")
    last = loss[-MIN_EPOCHS:]
    climbing = len(loss) >= MIN_EPOCHS and all(later > earlier for earlier, later in zip(last, last[1:]))
    if climbing and last[-1] >= RISE_FACTOR * min(loss) and last[-1] > LOW_LOSS * chance:
        return _finding(DIVERGED, "loss", len(loss), f"the training loss rose in each of the last "
                        f"{MIN_EPOCHS - 1} epochs, to {last[-1]:.3f}, from a best of {min(loss):.3f}")
    return None


def _near_chance(values: Sequence[float], chance: float) -> bool:
    return all(abs(value - chance) <= CHANCE_TOLERANCE * chance for value in values)


def _stuck(loss: list[float], val_loss: list[float], chance: float) -> Finding | None:
    last = loss[-STUCK_EPOCHS:]
    if not _near_chance(last, chance):
        return None
    evidence = (f"the training loss stayed within {CHANCE_TOLERANCE * chance:.3f} of ln(K) = {chance:.3f} "
                f"for the last {STUCK_EPOCHS} epochs ({_span(last)})")
    if len(val_loss) >= STUCK_EPOCHS and _near_chance(val_loss[-STUCK_EPOCHS:], chance):
        evidence += f", the validation loss too ({_span(val_loss[-STUCK_EPOCHS:])})"
    return _finding(STUCK, "loss", len(loss), evidence)


def _worse_than_chance(loss: list[float], chance: float) -> Finding | None:
    last = loss[-STUCK_EPOCHS:]
    if min(last) <= chance * (1 + CHANCE_TOLERANCE):
        return None
    return _finding(WORSE_THAN_CHANCE, "loss", len(loss), f"the training loss stayed above ln(K) = {chance:.3f} "
                    f"for the last {STUCK_EPOCHS} epochs ({_span(last)})")


def _validation_at_chance(loss: list[float], val_loss: list[float], chance: float) -> Finding | None:
    fitting = loss[-1] < chance * (1 - CHANCE_TOLERANCE)
    if not fitting or len(val_loss) < STUCK_EPOCHS or not all(map(math.isfinite, val_loss)):
        return None
    if min(val_loss) < chance * (1 - CHANCE_TOLERANCE):
        return None
    return _finding(STUCK, "val_loss", len(val_loss), f"the validation loss never went more than "
                    f"{CHANCE_TOLERANCE * chance:.3f} below ln(K) = {chance:.3f} (lowest {min(val_loss):.3f}, "
                    f"last {val_loss[-1]:.3f}) while the training loss fell to {loss[-1]:.3f}")


def _oscillating(loss: list[float], chance: float) -> Finding | None:
    window = loss[-OSCILLATION_WINDOW:]
    if sum(window) / len(window) <= LOW_LOSS * chance:
        return None
    steps = [later - earlier for earlier, later in zip(window, window[1:])]
    swings = [step for step, earlier in zip(steps, window) if abs(step) > SWING * earlier]
    reversals = sum(1 for first, second in zip(swings, swings[1:]) if (first > 0) != (second > 0))
    if reversals < REVERSALS:
        return None
    return _finding(OSCILLATING, "loss", len(loss), f"the training loss changed direction {reversals} times "
                    f"in the last {len(window)} epochs, by more than {SWING:.0%} each time ({_span(window)})")


def _plateau(loss: list[float], chance: float) -> Finding | None:
    if len(loss) < PLATEAU_EPOCHS:
        return None
    start, later = loss[-PLATEAU_EPOCHS], loss[-PLATEAU_EPOCHS + 1:]
    gain = (start - min(later)) / start if start > 0 else 0.0  # from a loss of 0 there is no progress left
    final = loss[-1]
    if gain >= PLATEAU_GAIN or not LOW_LOSS * chance < final < chance * (1 - CHANCE_TOLERANCE):
        return None
    return _finding(PLATEAU, "loss", len(loss), f"the training loss improved by {max(gain, 0):.1%} over the "
                    f"last {PLATEAU_EPOCHS - 1} epochs and stays at {final:.3f}")


def _overfitting(loss: list[float], val_loss: list[float], chance: float) -> Finding | None:
    if len(val_loss) < MIN_EPOCHS or not all(map(math.isfinite, val_loss)) or len(val_loss) != len(loss):
        return None
    best = min(range(len(val_loss)), key=val_loss.__getitem__)
    threshold = val_loss[best] + max(OVERFIT_RISE * val_loss[best], OVERFIT_MIN_RISE * chance)
    stayed_up = all(value > threshold for value in val_loss[-OVERFIT_EPOCHS:])
    if best >= len(val_loss) - OVERFIT_EPOCHS or not stayed_up or loss[-1] >= loss[best]:
        return None
    return _finding(OVERFITTING, "val_loss", len(val_loss), (
        f"the validation loss rose from its best, {val_loss[best]:.3f} at epoch {best + 1}, to "
        f"{val_loss[-1]:.3f} while the training loss fell from {loss[best]:.3f} to {loss[-1]:.3f}"))


def _healthy(loss: list[float], val_loss: list[float], chance: float) -> Finding | None:
    if loss[-1] >= chance * (1 - CHANCE_TOLERANCE):
        return None
    evidence = f"the training loss fell from {loss[0]:.3f} to {loss[-1]:.3f} (chance: ln(K) = {chance:.3f})"
    if val_loss:
        evidence += f", the validation loss to {val_loss[-1]:.3f}"
    return _finding(HEALTHY, "loss", len(loss), evidence)


def _not_yet(loss: list[float], chance: float) -> Finding:
    return _finding(TOO_SHORT, "loss", len(loss), f"the training loss is at {loss[-1]:.3f}, not yet clearly "
                    f"below ln(K) = {chance:.3f}, and too few epochs to tell a stuck run from a slow start")
