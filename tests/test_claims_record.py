"""The claims record: what ``claims.check`` accepts, remembers and writes, and what ``table`` shows."""

import json
import re

import nbformat
import pytest

from course_utils import claims
from project import ROOT

ARTICLE = next(iter(claims.ARTICLES))


@pytest.fixture(autouse=True)
def fresh_record(monkeypatch):
    """Each test starts with nothing recorded and no verdict file."""
    monkeypatch.setattr(claims, "_recorded", [])
    monkeypatch.delenv("COURSE_VERDICTS", raising=False)


def check(claim="the loss stagnates around 2.3", *, source=ARTICLE, verdict=claims.HOLDS, stated=claims.HOLDS,
          measurement="2.30 to 2.31"):
    return claims.check(source, claim, rule="stuck = every epoch within 0.115 of ln(10)",
                        measurement=measurement, verdict=verdict, stated=stated)


@pytest.mark.parametrize("field, value", [("source", "seed 000"), ("source", "Stuck at 2.302?"),
                                          ("verdict", "fluctuates"), ("verdict", True),
                                          ("verdict", claims.VARIES), ("stated", "maybe")])
def test_an_unknown_source_verdict_or_stated_verdict_is_refused(field, value):
    with pytest.raises(ValueError, match=field):
        check(**{field: value})
    assert claims.recorded() == []


def test_every_source_and_verdict_kind_is_accepted():
    for source in claims.SOURCES:
        for verdict in claims.VERDICTS:
            check(f"{source} {verdict}", source=source, verdict=verdict, stated=claims.VARIES)
    assert len(claims.recorded()) == len(claims.SOURCES) * len(claims.VERDICTS)


def test_a_rerun_cell_replaces_its_earlier_record_in_its_place():
    check("a", verdict=claims.DOES_NOT_HOLD, stated=claims.DOES_NOT_HOLD)
    check("b")
    check("a", verdict=claims.HOLDS, measurement="again")
    recorded = claims.recorded()
    assert [claim.claim for claim in recorded] == ["a", "b"]
    assert recorded[0].verdict == claims.HOLDS and recorded[0].measurement == "again"


def test_agreement_with_the_text():
    assert check("same").agrees
    assert check("varies", verdict=claims.PARTLY, stated=claims.VARIES).agrees
    assert not check("other", verdict=claims.PARTLY, stated=claims.HOLDS).agrees


def test_the_card_shows_source_rule_measurement_and_verdict():
    card = check(verdict=claims.DOES_NOT_HOLD, stated=claims.DOES_NOT_HOLD)._repr_markdown_()
    for part in (ARTICLE, "the loss stagnates around 2.3", "within 0.115", "2.30 to 2.31", "❌ does not hold"):
        assert part in card
    assert "⚠️" not in card


def test_the_table_lists_the_articles_claims_only():
    check("an article's claim")
    check("the course's claim", source=claims.COURSE)
    check("folklore's claim", source=claims.FOLKLORE)
    rows = [line for line in claims.table().data.splitlines() if line.startswith("| *")]
    assert len(rows) == 1 and "an article's claim" in rows[0] and f"*{ARTICLE}*" in rows[0]


def test_the_table_marks_the_row_that_disagrees_with_the_text():
    check("agrees", verdict=claims.PARTLY, stated=claims.PARTLY)
    check("disagrees", verdict=claims.HOLDS, stated=claims.DOES_NOT_HOLD)
    lines = claims.table().data.splitlines()
    agreeing, disagreeing = (next(line for line in lines if f"| {text} |" in line) for text in ("agrees", "disagrees"))
    assert "🟡 partly holds" in agreeing and "⚠️" not in agreeing
    assert "⚠️" in disagreeing and "*does not hold*" in disagreeing and "*holds*" in disagreeing
    assert claims.WHY_RUNS_DIFFER in disagreeing
    assert lines[-1].startswith("⚠️ In 1 row")


def test_a_table_that_agrees_everywhere_has_no_warning():
    check("agrees")
    assert "⚠️" not in claims.table().data


def test_the_table_of_given_claims_ignores_the_record():
    check("recorded")
    given = claims.Claim(ARTICLE, "given", "a rule", "a measurement", claims.HOLDS, claims.HOLDS)
    table = claims.table([given]).data
    assert "| given |" in table and "recorded" not in table


def test_each_check_writes_one_json_line_when_asked(monkeypatch, tmp_path):
    record = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv("COURSE_VERDICTS", str(record))
    check("a")
    check("b", source=claims.COURSE, verdict=claims.NOT_OBSERVED, stated=claims.VARIES)
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"source": ARTICLE, "claim": "a", "rule": "stuck = every epoch within 0.115 of ln(10)",
         "measurement": "2.30 to 2.31", "verdict": claims.HOLDS, "stated": claims.HOLDS},
        {"source": claims.COURSE, "claim": "b", "rule": "stuck = every epoch within 0.115 of ln(10)",
         "measurement": "2.30 to 2.31", "verdict": claims.NOT_OBSERVED, "stated": claims.VARIES},
    ]


def test_nothing_is_written_by_default(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    check("a")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("outcomes, verdict", [
    ([True, True, True], claims.HOLDS), ([1, 1], claims.HOLDS), ([True, False, True], claims.PARTLY),
    ([False, False], claims.DOES_NOT_HOLD), ([0], claims.DOES_NOT_HOLD), ([], claims.NOT_OBSERVED),
    ((outcome for outcome in (True, False)), claims.PARTLY),
])
def test_over_seeds(outcomes, verdict):
    assert claims.over_seeds(outcomes) == verdict


def test_count_of():
    assert claims.count_of([True, False, True]) == "2 of 3 seeds"
    assert claims.count_of([False]) == "0 of 1 seed"


def test_the_warning_links_a_heading_of_notebook_00():
    name, anchor = claims.WHY_RUNS_DIFFER.split("#")
    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    headings = [line.removeprefix("## ") for cell in notebook.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    assert anchor in [re.sub(r"\s", "-", heading.strip()) for heading in headings]


def test_a_bar_in_a_claim_or_measurement_stays_inside_its_cell():
    check("|loss − ln(10)| stays small", measurement="|gap| 0.01 | 0.02")
    row = next(line for line in claims.table().data.splitlines() if line.startswith("| *"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 5  # four cells
