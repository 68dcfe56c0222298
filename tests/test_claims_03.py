"""Notebook 03's stated verdicts, measured again by running the notebook in fast mode (seeds 0 and 1).

The notebook states where fast mode's shorter runs give a different verdict from the default mode;
those claims are asserted with fast mode's verdict.
"""

import pytest

from claims import notebook_verdicts, unstated, verdict_about

pytestmark = pytest.mark.notebook

STATED = {
    "Adam at 0.1 gives fluctuating loss values": False,
    "Adam at 0.1 prevents convergence": False,
    "Adam at 0.001 gives a stable, decreasing loss curve": True,
    "a too-low rate makes slow progress": True,
    "stuck in a local minimum": False,
    "step_decay halves the rate every epochs_drop epochs": False,
    "the piecewise schedule runs 0.001, then 0.0005": True,
    "step decay aids convergence": False,
    "a constant rate oscillates": False,
    "Adam is a sound default choice": True,
    "a larger batch trains faster": False,
    "a larger batch gives less stable convergence": False,
    "smaller batches generalize better": True,
}
STATED_FOR_FAST_MODE = {
    # fast mode's 6 epochs end before the validation loss stalls: the callback never acts
    "lowering the rate when the validation loss plateaus is beneficial": False,
    # after 4 epochs on 200 images SGD with momentum is ahead; after 10 on 500, Adam mostly
    "SGD with momentum or RMSprop can suit better than Adam": True,
}


@pytest.fixture(scope="module")
def verdicts():
    return notebook_verdicts("03_learning_rate_and_schedules.ipynb")


def test_every_claim_in_the_table_has_a_stated_verdict(verdicts):
    assert not unstated(verdicts, {**STATED, **STATED_FOR_FAST_MODE})


@pytest.mark.parametrize("words, stated", STATED.items(), ids=list(STATED))
def test_verdict_stated_for_both_modes_holds(verdicts, words, stated):
    assert verdict_about(verdicts, words) is stated


@pytest.mark.parametrize("words, stated", STATED_FOR_FAST_MODE.items(), ids=list(STATED_FOR_FAST_MODE))
def test_verdict_stated_for_fast_mode_holds(verdicts, words, stated):
    assert verdict_about(verdicts, words) is stated
