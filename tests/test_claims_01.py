"""Notebook 01's stated claims, measured again by running the notebook in fast mode.

Each verdict is the one the notebook's prose states ("What this says about the article" and
"And about the bugs"); the notebook measures it over two seeds (four for lr=0.1 on the digits).
"""

import pytest

from claims import notebook_verdicts, unstated, verdict_about

pytestmark = pytest.mark.notebook

STATED = {
    # the article
    "cross-entropy of a uniform guess over 10 classes": True,
    "freshly built model (default init) starts near ln(10)": True,
    "freshly built model with he_uniform starts near ln(10)": False,
    "with the default initialization the loss stagnates around 2.3": False,
    "he_uniform gives a lower loss than the default init after a few epochs": True,
    "Adam at lr=0.1 leaves the loss stuck at 2.302 (random data)": True,
    "at lr=0.1 the loss fluctuates": False,
    "at lr=0.001 the loss decreases steadily": True,
    # random labels: memorising is not learning
    "the training loss falls below ln(10) by memorising": True,
    "the held-out loss never drops more than": True,
    "lower training loss comes with a higher held-out loss": True,
    "the stuck network gives every image the same answer (random data)": True,
    # the bug zoo on the digits, and the loss doctor's names for it
    "the correct set-up learns, and the doctor calls it healthy": True,
    "Adam at lr=0.1 gets stuck at chance for every seed": False,
    "the doctor names lr=0.1 on digits 'stuck at chance'": True,
    "a run sticks exactly when every channel of its last convolution layer has died": True,
    "the doctor names shuffled labels on digits 'stuck at chance'": True,
    "the doctor names unscaled pixels with SGD on digits 'stuck at chance'": True,
    "dividing the pixels by 255 makes the SGD run learn": True,
    "unscaled pixels also break the Adam run": False,
    "the doctor names the missing softmax (from_logits=False) on digits 'worse than chance'": True,
    "the doctor names a ReLU output layer on digits 'diverged'": True,
    "softmax output with from_logits=True gets the wrong loss": False,
    "a label/loss mismatch (integer labels, categorical_crossentropy) trains without an error": False,
}


@pytest.fixture(scope="module")
def verdicts():
    return notebook_verdicts("01_stuck_at_ln10.ipynb")


def test_every_measured_claim_is_stated(verdicts):
    assert not unstated(verdicts, STATED), "claims the prose does not state a verdict for"


@pytest.mark.parametrize("words, stated", STATED.items(), ids=list(STATED))
def test_the_stated_verdict_is_the_measured_one(verdicts, words, stated):
    assert verdict_about(verdicts, words) is stated
