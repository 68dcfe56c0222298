"""The loss doctor never crashes a training run: any history gives findings, never an exception."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.loss_doctor import SYMPTOMS, Finding, LossDoctor, diagnose

# Any float a Keras log can hold: finite (zero, negative, huge, tiny), ±inf and NaN.
LOSSES = st.floats(allow_nan=True, allow_infinity=True)
HISTORIES = st.fixed_dictionaries(
    {"loss": st.lists(LOSSES, max_size=30)},
    optional={"val_loss": st.lists(LOSSES, max_size=30)},
)
CLASSES = st.integers(min_value=2) | st.integers(min_value=2, max_value=1000)


def test_a_loss_that_reaches_zero_is_judged_not_a_crash():
    found = diagnose({"loss": [1, 0, 0, 0, 0]}, 10)
    assert [finding.symptom for finding in found] == ["healthy"]


@settings(max_examples=400, deadline=None, database=None)
@given(history=HISTORIES, num_classes=CLASSES)
def test_diagnose_returns_findings_for_any_history(history, num_classes):
    found = diagnose(history, num_classes)
    assert found and all(isinstance(finding, Finding) and finding.symptom in SYMPTOMS for finding in found)
    assert all(str(finding) for finding in found)


@settings(max_examples=100, deadline=None, database=None)
@given(history=HISTORIES.filter(lambda history: history["loss"]), num_classes=CLASSES)
def test_the_callback_survives_any_history(history, num_classes):
    said = []
    doctor = LossDoctor(num_classes, print_fn=said.append)
    doctor.on_train_begin()
    for epoch, loss in enumerate(history["loss"]):
        logs = {"loss": loss}
        if epoch < len(history.get("val_loss", [])):
            logs["val_loss"] = history["val_loss"][epoch]
        doctor.on_epoch_end(epoch, logs)
    doctor.on_train_end()
    assert all(line.startswith("Loss doctor") for line in said)


@pytest.mark.parametrize("start", [0.0, -0.0])
def test_a_plateau_from_a_loss_of_zero_is_not_a_division_by_zero(start):
    history = {"loss": [2.0, 1.0, start, 1.0, 1.0, 1.0]}
    assert [finding.symptom for finding in diagnose(history, 10)] == ["plateau"]
