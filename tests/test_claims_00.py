"""Notebook 00's stated claim, measured again by running the notebook in fast mode."""

import pytest

from claims import notebook_verdicts, verdict_about

pytestmark = pytest.mark.notebook


def test_a_fresh_model_starts_near_ln10():
    verdicts = notebook_verdicts("00_start_here.ipynb")
    assert verdict_about(verdicts, "starts at a loss near ln(10)") is True
