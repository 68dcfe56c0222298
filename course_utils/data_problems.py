"""Data problems on purpose, and the usual fixes: class imbalance and label noise.

- ``imbalanced_subset``: keeps only a share of some classes' training images;
- ``oversample``: repeats a minority class's images until every class is as large as the largest;
- ``class_weights``: Keras's ``class_weight`` dict that gives every class the same total weight;
- ``flip_labels``: replaces a share of the labels with a different class, chosen at random;
- ``class_counts``, ``confusion_matrix`` and ``per_class_recall`` to measure what happened.

Labels are integer class indices throughout; every random choice takes a ``seed``.
"""

from __future__ import annotations

import numpy as np


def _labels(y) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be a 1-D array of integer class indices, got shape {y.shape} "
                         f"and dtype {y.dtype} (one-hot labels: use y.argmax(axis=1))")
    return y


def _fraction(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    return float(value)


def class_counts(y, num_classes: int) -> np.ndarray:
    """How many examples each class has (zeros included)."""
    return np.bincount(_labels(y), minlength=num_classes)


def imbalanced_subset(x, y, *, minority, keep: float, seed: int = 0):
    """Keeps every image of most classes and only a share of the ``minority`` classes'.

    Args:
        x, y: images and integer labels.
        minority: the classes to shrink (an int or a list of ints).
        keep: the share of each minority class kept, between 0 and 1 (at least one image stays).
        seed: which images are kept.

    Returns:
        ``(x, y)`` of the subset, in the original order.
    """
    y = _labels(y)
    keep = _fraction("keep", keep)
    minority = np.atleast_1d(minority).astype(int)
    unknown = [int(label) for label in minority if label not in set(y.tolist())]
    if unknown:
        raise ValueError(f"minority classes {unknown} do not occur in the labels")
    rng = np.random.default_rng(seed)
    chosen = np.ones(len(y), dtype=bool)
    for label in minority:
        members = np.flatnonzero(y == label)
        kept = rng.choice(members, size=max(1, round(keep * len(members))), replace=False)
        chosen[members] = False
        chosen[kept] = True
    return np.asarray(x)[chosen], y[chosen]


def oversample(x, y, *, seed: int = 0):
    """Repeats images of the smaller classes, drawn at random, until every class present has as many
    as the largest; returns ``(x, y)`` shuffled."""
    y = _labels(y)
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(y, return_counts=True)
    largest = counts.max()
    picked = [np.flatnonzero(y == label) for label in labels]
    picked += [rng.choice(np.flatnonzero(y == label), size=largest - count, replace=True)
               for label, count in zip(labels, counts, strict=True) if count < largest]
    order = rng.permutation(np.concatenate(picked))
    return np.asarray(x)[order], y[order]


def class_weights(y, num_classes: int) -> dict[int, float]:
    """Keras's ``class_weight``: each class weighted ``N / (K · count)`` so that every class adds up to
    the same total weight (scikit-learn's "balanced"); a class that does not occur gets 0."""
    counts = class_counts(y, num_classes)
    total = counts.sum()
    return {label: (float(total / (num_classes * count)) if count else 0.0) for label, count in enumerate(counts)}


def flip_labels(y, fraction: float, num_classes: int, *, seed: int = 0):
    """Gives a share of the examples a wrong label: another class, drawn uniformly.

    Returns:
        ``(noisy_labels, flipped)``: the new labels and a boolean mask of the examples changed
        (exactly ``round(fraction · N)`` of them).
    """
    y = _labels(y)
    fraction = _fraction("fraction", fraction)
    if num_classes < 2:
        raise ValueError(f"flipping a label needs at least 2 classes, got {num_classes}")
    if y.size and y.max() >= num_classes:
        raise ValueError(f"labels go up to {y.max()}, beyond num_classes={num_classes}")
    rng = np.random.default_rng(seed)
    flipped = np.zeros(len(y), dtype=bool)
    flipped[rng.choice(len(y), size=round(fraction * len(y)), replace=False)] = True
    noisy = y.copy()
    shift = rng.integers(1, num_classes, size=flipped.sum())  # never 0: always another class
    noisy[flipped] = (y[flipped] + shift) % num_classes
    return noisy, flipped


def confusion_matrix(y_true, y_pred, num_classes: int) -> np.ndarray:
    """Counts: row = true class, column = predicted class."""
    y_true, y_pred = _labels(y_true), _labels(y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def per_class_recall(y_true, y_pred, num_classes: int) -> np.ndarray:
    """For each class, the share of its examples predicted as that class (NaN for a class with none)."""
    matrix = confusion_matrix(y_true, y_pred, num_classes)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)
