"""Notebook 05, measured again in fast mode: the loss doctor names overfitting on the runs that overfit.

The notebook decides which of its runs overfit by its own rule (the validation cross-entropy is at least
10 % above its lowest value in each of the last two epochs), which do not (it ends within 5 %), and checks the
doctor's verdict on every one of them in a claim of its own (source: the course). Checking it inside the notebook keeps the evidence where a learner
reads it and needs no second record of the histories; this test reads that claim from the same run.
"""

import pytest

from claims import notebook_claims

pytestmark = pytest.mark.notebook

NOTEBOOK = "05_capacity_and_regularization.ipynb"
DOCTOR = "the loss doctor names overfitting on the runs that overfit, and not on the others"


@pytest.fixture(scope="module")
def claims():
    return {claim["claim"]: claim for claim in notebook_claims(NOTEBOOK)}


def test_the_doctor_was_checked_on_runs_of_both_kinds(claims):
    doctor = claims[DOCTOR]
    assert doctor["source"] == "the course"
    assert doctor["verdict"] != "not observed here", doctor["measurement"]  # some runs overfit, some do not


def test_the_doctor_names_overfitting_exactly_where_it_is(claims):
    doctor = claims[DOCTOR]
    assert doctor["verdict"] == "holds", doctor["measurement"]
    assert "0 missed, 0 false alarms" in doctor["measurement"]


def test_the_articles_claims_have_a_stated_verdict(claims):
    articles = [claim for claim in claims.values() if claim["source"] not in ("the course", "folklore")]
    assert 5 <= len(articles) <= 8, [claim["claim"] for claim in articles]
    assert all(claim["stated"] for claim in articles)
