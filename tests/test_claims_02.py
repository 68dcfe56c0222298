"""Notebook 02's stated verdicts, measured again by running the notebook in fast mode (seeds 0 and 1)."""

import pytest

from claims import notebook_verdicts, unstated, verdict_about

pytestmark = pytest.mark.notebook

STATED = {
    "leaves 000's network stagnating around 2.3": False,
    "lower loss after a few training steps": True,
    "std sqrt(2 / fan_in)": True,
    "gradient issues: 001's two-layer net": False,
    "gradient issues: a 15-layer plain CNN": True,
    "convergence: 001's two-layer net": False,
    "convergence: a 15-layer plain CNN": True,
    "He initialization keeps initial activations": True,
    "Xavier (Glorot) initialization keeps initial activations": False,
    "earlier layers: 15-layer ReLU CNN": False,
    "earlier layers: 15-layer sigmoid CNN": True,
    "Exploding gradients prevent convergence": True,
}


@pytest.fixture(scope="module")
def verdicts():
    return notebook_verdicts("02_weight_initialization.ipynb")


def test_every_claim_in_the_table_has_a_stated_verdict(verdicts):
    assert not unstated(verdicts, STATED)


@pytest.mark.parametrize("words, stated", STATED.items(), ids=list(STATED))
def test_stated_verdict_holds(verdicts, words, stated):
    assert verdict_about(verdicts, words) is stated
