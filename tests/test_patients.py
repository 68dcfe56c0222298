"""The clinic's patients: each untreated set-up shows its symptom and misses the target, each reference fix
reaches it, for two seeds in fast mode; and the self-checks of notebook 07."""

import inspect

import keras
import pytest

from course_utils import config, loss_doctor, patients
from course_utils.exercises import nb07
from course_utils.patients import CAUSES, PATIENTS, TREATED_IN
from project import ROOT

SEEDS = (0, 1)
COURSE_NOTEBOOKS = ["00_start_here.ipynb", "01_stuck_at_ln10.ipynb", "02_weight_initialization.ipynb",
                    "03_learning_rate_and_schedules.ipynb", "04_normalization_and_augmentation.ipynb",
                    "05_capacity_and_regularization.ipynb", "06_transfer_learning.ipynb"]


# --- the clinic's make-up (no training) -----------------------------------------------------------

def test_at_least_six_patients_one_with_two_causes_covering_the_course():
    assert len(PATIENTS) >= 6
    assert any(len(patient.causes) >= 2 for patient in PATIENTS.values())
    covered = {cause for patient in PATIENTS.values() for cause in patient.causes}
    for cause in (patients.INITIALIZATION, patients.LEARNING_RATE, patients.NORMALIZATION,
                  patients.AUGMENTATION, patients.DATA, patients.CAPACITY):
        assert cause in covered, cause


@pytest.mark.parametrize("key", PATIENTS)
def test_every_setup_argument_has_a_default_and_the_fix_changes_only_those(key):
    patient = PATIENTS[key]
    parameters = inspect.signature(patient.set_up).parameters
    assert all(parameter.default is not inspect.Parameter.empty for parameter in parameters.values())
    assert patient.fix and set(patient.fix) <= set(parameters) - {"seed"}
    assert all(parameters[name].default != value for name, value in patient.fix.items())


def test_every_cause_points_at_a_course_notebook():
    assert set(TREATED_IN) == set(CAUSES)
    for numbers in TREATED_IN.values():
        assert all(patients.NOTEBOOK_FILES[number] in COURSE_NOTEBOOKS for number in numbers)
    assert sorted(patients.NOTEBOOK_FILES.values()) == COURSE_NOTEBOOKS


def test_the_notebook_links_every_checklist_item_to_a_course_notebook():
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / "07_clinic_capstone.ipynb", as_version=4)
    checklist = next(cell.source for cell in notebook.cells if "## Take-home checklist" in cell.source)
    items = [line for line in checklist.splitlines() if line[:1].isdigit()]
    assert len(items) >= 6
    for item in items:
        assert any(f"]({name})" in item for name in COURSE_NOTEBOOKS), item


def test_a_setup_is_seeded():
    first, second = PATIENTS["Ada"].admit(seed=3), None
    weights = first.model.get_weights()[0].copy()
    second = PATIENTS["Ada"].admit(seed=3)
    assert (second.model.get_weights()[0] == weights).all()


# --- the self-checks -----------------------------------------------------------------------------

def test_the_diagnosis_check_accepts_the_cause_and_points_to_its_notebook_otherwise(capsys):
    assert nb07.check_diagnosis("Ada", "Initialization")
    assert "02_weight_initialization.ipynb" in capsys.readouterr().out
    assert not nb07.check_diagnosis("Ada", "learning rate")
    out = capsys.readouterr().out
    assert "Hint" in out and "02_weight_initialization.ipynb" in out


def test_the_diagnosis_check_wants_both_causes_of_a_two_cause_patient(capsys):
    two = next(key for key, patient in PATIENTS.items() if len(patient.causes) == 2)
    causes = list(PATIENTS[two].causes)
    assert not nb07.check_diagnosis(two, causes[0])
    assert "1 more to find" in capsys.readouterr().out
    assert nb07.check_diagnosis(two, causes[::-1])


@pytest.mark.parametrize("answer", [None, "", "bad luck", 42, ["initialization", "gremlins"]])
def test_the_diagnosis_check_names_the_choices_for_an_answer_it_cannot_read(capsys, answer):
    assert not nb07.check_diagnosis("Bo", answer)
    assert "learning rate" in capsys.readouterr().out


def test_the_fix_check_trains_nothing_without_changes_and_refuses_unknown_arguments(capsys, monkeypatch):
    monkeypatch.setattr(patients.Patient, "visit", lambda *args, **kwargs: pytest.fail("trained"))
    assert not nb07.check_fix("Cy", {})
    assert "rescale" in capsys.readouterr().out  # the set-up's arguments are listed
    assert not nb07.check_fix("Cy", {"lr": 0.001})
    assert "no argument 'lr'" in capsys.readouterr().out


def test_an_unknown_patient_is_named():
    with pytest.raises(ValueError, match="the patients are"):
        nb07.check_diagnosis("Zed", "data")


# --- the visits: fast mode, two seeds (the notebook's own settings) ----------------------------------

@pytest.fixture(scope="module", autouse=False)
def fast_mode():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_MODE", "fast")
        yield


@pytest.mark.notebook
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", PATIENTS)
def test_an_untreated_patient_shows_its_symptom_and_misses_the_target(fast_mode, key, seed):
    patient = PATIENTS[key]
    assert config.is_fast()
    visit = patient.visit(seed)
    assert set(visit.doctor()) <= set(patient.doctor_sees), visit.doctor()
    assert visit.test_accuracy < patient.target, f"untreated {key} reached {visit.test_accuracy:.3f}"


@pytest.mark.notebook
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("key", PATIENTS)
def test_the_reference_fix_reaches_the_target(fast_mode, key, seed):
    visit = PATIENTS[key].treated(seed)
    assert visit.test_accuracy >= PATIENTS[key].target, f"treated {key}: {visit.test_accuracy:.3f}"
    assert visit.doctor() != [loss_doctor.STUCK]


@pytest.mark.notebook
@pytest.mark.parametrize("half", [{"initializer": "he_normal"}, {"flip": None, "rotation": 0.0}],
                         ids=["initialization only", "augmentation only"])
def test_the_two_cause_patient_needs_both_treatments(fast_mode, half):
    assert PATIENTS["Gus"].causes == (patients.INITIALIZATION, patients.AUGMENTATION)
    visit = PATIENTS["Gus"].visit(0, **half)
    assert visit.test_accuracy < PATIENTS["Gus"].target, f"cured by {half} alone: {visit.test_accuracy:.3f}"


@pytest.mark.notebook
def test_a_visit_passes_its_callbacks_to_fit_and_not_to_the_set_up(fast_mode):
    ends = []

    class EpochEnds(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            ends.append(epoch)

    visit = PATIENTS["Cy"].visit(0, callbacks=[EpochEnds()])
    assert len(ends) == len(visit.history["loss"]) == patients.epochs()
    assert visit.changes == {}
