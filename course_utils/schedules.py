"""Learning-rate schedules from the articles, cosine decay with warm-up, and the LR range test.

The epoch schedules take the 0-based epoch index that Keras's ``LearningRateScheduler``
passes and return a Python ``float``, which Keras 3 requires of a schedule function.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np


def _whole(name: str, value, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return int(value)


def _number(name: str, value, *, low: float = 0.0, high: float = math.inf, low_allowed: bool = False) -> float:
    """``value`` as a float if it is a finite number above ``low`` (or equal, if allowed) and at most ``high``."""
    fits = (not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
            and (value >= low if low_allowed else value > low) and value <= high)
    if not fits:
        bounds = f"{'[' if low_allowed else '('}{low:g}, {high:g}{']' if math.isfinite(high) else ')'}"
        raise ValueError(f"{name} must be a number in {bounds}, got {value!r}")
    return float(value)


def step_decay(epoch: int, *, initial_rate: float = 0.001, drop: float = 0.5, epochs_drop: float = 10.0) -> float:
    """*High training loss*, Example 3: ``initial_rate * drop ** floor((1 + epoch) / epochs_drop)``.

    Because of the ``1 +``, the first drop comes at epoch index ``epochs_drop - 1``: the
    first stage is one epoch shorter than the later ones. The settings are keyword-only:
    Keras's ``LearningRateScheduler`` calls ``schedule(epoch, current_rate)`` when that
    works, and a second positional parameter would take the current rate.

    Args:
        epoch: the 0-based epoch index.
        initial_rate: the rate of the first stage.
        drop: the factor applied at each step, in (0, 1].
        epochs_drop: the length of a stage, in epochs.
    """
    epoch = _whole("epoch (counted from 0)", epoch)
    initial_rate, epochs_drop = _number("initial_rate", initial_rate), _number("epochs_drop", epochs_drop)
    drop = _number("drop (so that the rate never grows)", drop, high=1.0)
    return initial_rate * math.pow(drop, math.floor((1 + epoch) / epochs_drop))


def piecewise(epoch: int, *, boundaries=(10, 20), rates=(0.001, 0.0005, 0.0001)) -> float:
    """*Loss plateaus*, Example 1: ``rates[0]`` before epoch ``boundaries[0]``, ``rates[1]`` until
    ``boundaries[1]``, and so on; the defaults are the article's 0.001 → 0.0005 → 0.0001.
    The settings are keyword-only, as for :func:`step_decay`.

    Args:
        epoch: the 0-based epoch index.
        boundaries: increasing epoch indices at which the next rate starts.
        rates: one more rate than boundaries, each positive.
    """
    epoch = _whole("epoch (counted from 0)", epoch)
    if len(rates) != len(boundaries) + 1:
        raise ValueError(f"rates needs one more value than boundaries, got {len(rates)} rates "
                         f"for {len(boundaries)} boundaries")
    boundaries = [_whole("each boundary", boundary, minimum=1) for boundary in boundaries]
    if boundaries != sorted(set(boundaries)):
        raise ValueError(f"boundaries must be increasing epoch indices, got {tuple(boundaries)}")
    rates = [_number("each rate", rate) for rate in rates]
    stage = sum(epoch >= boundary for boundary in boundaries)
    return rates[stage]


def cosine_warmup(step: int, *, initial_rate: float, warmup_target: float, warmup_steps: int,
                  decay_steps: int, alpha: float = 0.0) -> float:
    """The rate ``keras.optimizers.schedules.CosineDecay(initial_rate, decay_steps, alpha,
    warmup_target=warmup_target, warmup_steps=warmup_steps)`` gives at ``step``, in plain Python.

    A straight line from ``initial_rate`` to ``warmup_target`` over ``warmup_steps`` steps, then
    a half cosine from ``warmup_target`` down to ``alpha * warmup_target`` over ``decay_steps``
    steps, then constant. Quick enough to redraw as a knob moves.
    """
    step = _whole("step", step)
    warmup_steps, decay_steps = _whole("warmup_steps", warmup_steps), _whole("decay_steps", decay_steps, minimum=1)
    alpha = _number("alpha (the final fraction of the peak rate)", alpha, high=1.0, low_allowed=True)
    initial_rate = _number("initial_rate", initial_rate, low_allowed=True)
    warmup_target = _number("warmup_target", warmup_target)
    if step < warmup_steps:
        return initial_rate + (warmup_target - initial_rate) * step / warmup_steps
    done = min(step - warmup_steps, decay_steps) / decay_steps
    return warmup_target * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * done)) + alpha)


def rates_over(schedule: Callable[[int], float], count: int) -> list[float]:
    """The rates a schedule gives at epochs (or steps) ``0 … count - 1``."""
    return [schedule(index) for index in range(_whole("count", count, minimum=1))]


# --- the learning-rate range test -------------------------------------------------------

@dataclass
class RangeTest:
    """What one LR range test measured, batch by batch.

    Attributes:
        rates: the learning rate used for each batch.
        losses: each batch's loss, measured as that batch trained.
        smoothed: an exponential moving average of ``losses`` (bias-corrected).
        stopped_early: True when the test ended because the loss blew up.
    """

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stopped_early: bool

    def lowest_loss_rate(self) -> float:
        """The rate at which the smoothed loss was lowest."""
        return float(self.rates[int(np.nanargmin(self.smoothed))])

    def suggest(self) -> float:
        """The suggested rate: one tenth of the rate at which the smoothed loss was lowest.

        At the lowest point the rate is already close to where training becomes unstable;
        a tenth of it is on the safe side of that edge (L. Smith's and fastai's rule of thumb).
        """
        return self.lowest_loss_rate() / 10


def lr_range_test(model, x, y, *, start: float = 1e-6, end: float = 1.0, batch_size: int = 32,
                  smoothing: float = 0.8, stop_factor: float = 4.0, seed: int = 0) -> RangeTest:
    """Trains ``model`` for one pass over ``(x, y)`` while the learning rate grows exponentially
    from ``start`` to ``end``, and records the loss of every batch.

    The batch's loss is the value ``train_on_batch`` returns (Keras resets its metrics first).
    The test stops early once the smoothed loss exceeds ``stop_factor`` times its lowest value,
    or is not finite. It changes the model's weights: build a fresh model to train afterwards.

    Args:
        model: a compiled Keras model whose optimizer has a settable ``learning_rate``.
        x, y: the training data (arrays of the same length).
        start, end: the first and last learning rate, ``0 < start < end``.
        batch_size: images per batch; one pass is ``ceil(len(x) / batch_size)`` batches.
        smoothing: the moving average's weight on the past, in [0, 1); 0 means no smoothing.
        stop_factor: how far above its lowest the smoothed loss may rise, above 1.
        seed: shuffles the data before the pass.
    """
    start, end = _number("start", start), _number("end", end)
    if start >= end:
        raise ValueError(f"start must be below end, got start={start!r}, end={end!r}")
    batch_size = _whole("batch_size", batch_size, minimum=1)
    if _number("smoothing", smoothing, low_allowed=True) >= 1:
        raise ValueError(f"smoothing must be in [0, 1), got {smoothing!r}")
    stop_factor = _number("stop_factor", stop_factor, low=1.0)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    num_batches = math.ceil(len(x) / batch_size)
    if num_batches < 2:
        raise ValueError(f"one pass must hold at least 2 batches, got {len(x)} examples "
                         f"at batch_size={batch_size}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError("compile the model first: the range test drives its optimizer's learning rate")

    order = np.random.default_rng(seed).permutation(len(x))
    rates = start * (end / start) ** (np.arange(num_batches) / (num_batches - 1))
    losses, smoothed, average, lowest = [], [], 0.0, math.inf
    for index, rate in enumerate(rates):
        batch = order[index * batch_size:(index + 1) * batch_size]
        model.optimizer.learning_rate = float(rate)
        loss = float(np.ravel(model.train_on_batch(x[batch], y[batch]))[0])
        average = smoothing * average + (1 - smoothing) * loss
        losses.append(loss)
        smoothed.append(average / (1 - smoothing ** (index + 1)))
        if not math.isfinite(smoothed[-1]) or smoothed[-1] > stop_factor * lowest:
            break
        lowest = min(lowest, smoothed[-1])
    count = len(losses)
    return RangeTest(rates[:count], np.array(losses), np.array(smoothed), stopped_early=count < num_batches)
