"""Class imbalance and label noise on purpose, and the measures of what they do."""

import numpy as np
import pytest

from course_utils import data_problems as dp

LABELS = np.repeat(np.arange(4), 25)  # 4 classes of 25
IMAGES = np.arange(100, dtype="float32")[:, None]  # image i is the number i: rows stay traceable


def test_imbalanced_subset_keeps_a_share_of_the_minority_only():
    x, y = dp.imbalanced_subset(IMAGES, LABELS, minority=[1, 3], keep=0.2, seed=0)
    assert dp.class_counts(y, 4).tolist() == [25, 5, 25, 5]
    assert np.array_equal(LABELS[x[:, 0].astype(int)], y)  # images stay with their labels
    again, _ = dp.imbalanced_subset(IMAGES, LABELS, minority=[1, 3], keep=0.2, seed=0)
    assert np.array_equal(x, again)


def test_imbalanced_subset_refuses_bad_settings():
    with pytest.raises(ValueError, match="fraction between 0 and 1"):
        dp.imbalanced_subset(IMAGES, LABELS, minority=1, keep=1.5)
    with pytest.raises(ValueError, match="do not occur"):
        dp.imbalanced_subset(IMAGES, LABELS, minority=7, keep=0.5)
    with pytest.raises(ValueError, match="integer class indices"):
        dp.imbalanced_subset(IMAGES, np.eye(4)[LABELS], minority=1, keep=0.5)


def test_oversample_evens_the_classes_with_copies_of_real_images():
    x, y = dp.imbalanced_subset(IMAGES, LABELS, minority=2, keep=0.2, seed=1)
    big_x, big_y = dp.oversample(x, y, seed=0)
    assert dp.class_counts(big_y, 4).tolist() == [25, 25, 25, 25]
    assert set(big_x[big_y == 2, 0]) == set(x[y == 2, 0])  # only the 5 kept images, repeated
    assert np.array_equal(LABELS[big_x[:, 0].astype(int)], big_y)


def test_class_weights_give_every_class_the_same_total():
    _, y = dp.imbalanced_subset(IMAGES, LABELS, minority=0, keep=0.2, seed=0)
    weights = dp.class_weights(y, 5)  # class 4 never occurs
    counts = dp.class_counts(y, 5)
    totals = [weights[label] * counts[label] for label in range(4)]
    assert np.allclose(totals, totals[0]) and weights[4] == 0.0
    assert weights[0] == pytest.approx(80 / (5 * 5))


def test_flip_labels_changes_exactly_the_share_asked_and_always_to_another_class():
    noisy, flipped = dp.flip_labels(LABELS, 0.3, 4, seed=2)
    assert flipped.sum() == 30
    assert (noisy[flipped] != LABELS[flipped]).all() and (noisy[~flipped] == LABELS[~flipped]).all()
    assert noisy.min() >= 0 and noisy.max() < 4
    with pytest.raises(ValueError, match="beyond num_classes"):
        dp.flip_labels(LABELS, 0.1, 3)


def test_confusion_matrix_and_recall():
    true = np.array([0, 0, 1, 1, 1, 2])
    pred = np.array([0, 1, 1, 1, 0, 2])
    matrix = dp.confusion_matrix(true, pred, 4)
    assert matrix.tolist() == [[1, 1, 0, 0], [1, 2, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    recall = dp.per_class_recall(true, pred, 4)
    assert recall[:3].tolist() == pytest.approx([0.5, 2 / 3, 1.0]) and np.isnan(recall[3])
