"""Every claim a notebook checks, measured again in fast mode: the run's verdict is the one the text states.

A notebook states its verdicts in code (``claims.check(..., stated=...)``), next to the prose that
gives them, so this one test covers every notebook, new ones included.
"""

import pytest

from claims import notebook_claims
from project import NOTEBOOKS

pytestmark = pytest.mark.notebook
CHECKING = [path for path in NOTEBOOKS if "claims.check(" in path.read_text(encoding="utf-8")]


@pytest.mark.parametrize("path", CHECKING, ids=[path.stem for path in CHECKING])
def test_every_claim_agrees_with_its_text(path):
    claims = [claim for claim in notebook_claims(path.name) if "stated" in claim]
    assert claims, f"{path.name} checked no claim with a stated verdict"
    disagreeing = [f"{claim['claim']}: text says {claim['stated']}, run measured {claim['verdict']}"
                   for claim in claims if claim["stated"] not in ("varies", claim["verdict"])]
    assert not disagreeing, "\n".join(disagreeing)


@pytest.mark.parametrize("path", CHECKING, ids=[path.stem for path in CHECKING])
def test_each_claim_is_checked_once(path):
    texts = [claim["claim"] for claim in notebook_claims(path.name)]
    assert len(texts) == len(set(texts)), "a claim checked twice in one run: its verdicts would be ambiguous"
