"""Claims checked against measurements: who makes each one, the rule that decides it, the verdict.

A notebook records a claim right after the experiment that measures it::

    claims.check("stuck", "with the default initialization the loss stagnates around 2.3",
                 rule="stuck = every epoch within 0.115 of ln(10)",
                 measurement=f"final training loss {low:.3f} to {high:.3f}",
                 verdict=claims.DOES_NOT_HOLD if not any(stuck) else claims.HOLDS,
                 stated=claims.DOES_NOT_HOLD)

``stated`` is the verdict the notebook's text gives. The card shown under the cell and the closing
``claims.table()`` say so plainly when this run measured something else, so the text never silently
contradicts a learner's run. When the environment variable ``COURSE_VERDICTS`` names a file, each
claim is appended to it as a JSON line: the course's tests check measured against stated verdicts.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from IPython.display import Markdown

ARTICLES = {  # short name, used everywhere in the course → full title (all four: 2025-01-30)
    "Stuck at 2.302": "Why is my CNN loss stuck at 2.302?",
    "High training loss": "What causes high CNN training loss?",
    "Loss plateaus": "How can CNN models be improved when encountering loss plateaus?",
    "Not improving": "Why is my TensorFlow/Keras CNN not improving during training?",
}
COURSE, FOLKLORE = "the course", "folklore"
SOURCES = (*ARTICLES, COURSE, FOLKLORE)

HOLDS, PARTLY, DOES_NOT_HOLD, NOT_OBSERVED = "holds", "partly holds", "does not hold", "not observed here"
VERDICTS = (HOLDS, PARTLY, DOES_NOT_HOLD, NOT_OBSERVED)
VARIES = "varies"  # a stated verdict: the text says the outcome changes with the seed, mode or machine
MARKS = {HOLDS: "✅", PARTLY: "🟡", DOES_NOT_HOLD: "❌", NOT_OBSERVED: "⚪"}
WHY_RUNS_DIFFER = "00_start_here.ipynb#Why-your-run-can-differ"

_recorded: list[Claim] = []


@dataclass(frozen=True)
class Claim:
    """One claim, the rule that decides it, what this run measured, and both verdicts."""

    source: str
    claim: str
    rule: str
    measurement: str
    verdict: str
    stated: str

    @property
    def agrees(self) -> bool:
        """True when this run's verdict is the one the text states (any verdict agrees with *varies*)."""
        return self.stated in (VARIES, self.verdict)

    def verdict_text(self) -> str:
        """The verdict with its mark, and a warning when the run disagrees with the text."""
        text = f"{MARKS[self.verdict]} {self.verdict}"
        if not self.agrees:
            text += (f" — ⚠️ the text says *{self.stated}*; your run measured *{self.verdict}* "
                     f"([why this can happen]({WHY_RUNS_DIFFER}))")
        return text

    def _repr_markdown_(self) -> str:
        return (f"**{MARKS[self.verdict]} Claim** ({self.source}): {self.claim}  \n"
                f"**Rule:** {self.rule}  \n**Measured:** {self.measurement}  \n"
                f"**Verdict:** {self.verdict_text()}")


def check(source: str, claim: str, *, rule: str, measurement: str, verdict: str, stated: str) -> Claim:
    """Records a claim with its measured and stated verdicts, and returns it to show under the cell.

    Args:
        source: who makes the claim: an article's short name (a key of ``ARTICLES``), ``COURSE`` or
            ``FOLKLORE``.
        claim: a short quote or a faithful paraphrase.
        rule: the rule that decides it, in words ("stuck = every epoch within 0.115 of ln 10").
        measurement: what this run measured, as text.
        verdict: this run's verdict, one of ``VERDICTS``.
        stated: the verdict the notebook's text gives, one of ``VERDICTS`` or ``VARIES``.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(map(repr, SOURCES))}; got {source!r}")
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(map(repr, VERDICTS))}; got {verdict!r}")
    if stated not in (*VERDICTS, VARIES):
        raise ValueError(f"stated must be one of {', '.join(map(repr, (*VERDICTS, VARIES)))}; got {stated!r}")
    record = Claim(source, claim, rule, measurement, verdict, stated)
    earlier = [index for index, checked in enumerate(_recorded) if checked.claim == claim]
    if earlier:  # a re-run cell replaces its claim, in its place
        _recorded[earlier[0]] = record
    else:
        _recorded.append(record)
    if os.environ.get("COURSE_VERDICTS"):
        with open(os.environ["COURSE_VERDICTS"], "a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(record)) + "\n")
    return record


def over_seeds(outcomes) -> str:
    """The verdict of a claim tested once per seed: *holds* if it held for every seed, *does not hold*
    if for none, *partly holds* otherwise (say "holds for 1 of 3 seeds" in the measurement)."""
    outcomes = [bool(outcome) for outcome in outcomes]
    if not outcomes:
        return NOT_OBSERVED
    if all(outcomes):
        return HOLDS
    return PARTLY if any(outcomes) else DOES_NOT_HOLD


def count_of(outcomes) -> str:
    """How many of the per-seed outcomes were true, as in "2 of 3 seeds"."""
    outcomes = [bool(outcome) for outcome in outcomes]
    return f"{sum(outcomes)} of {len(outcomes)} seed{'s' if len(outcomes) != 1 else ''}"


def recorded() -> list[Claim]:
    """The claims checked so far in this kernel, in order."""
    return list(_recorded)


def table(claims: list[Claim] | None = None) -> Markdown:
    """The closing table: the articles' claims only (not the course's or folklore's), one row each,
    with a warning on every row where this run's verdict differs from the text's."""
    rows = [claim for claim in (recorded() if claims is None else claims) if claim.source in ARTICLES]
    lines = ["| article | claim | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| *{row.source}* | {_cell(row.claim)} | {_cell(row.measurement)} | {row.verdict_text()} |"
              for row in rows]
    disagreeing = sum(not row.agrees for row in rows)
    if disagreeing:
        lines.append(f"\n⚠️ In {disagreeing} row(s) your run measured something else than the text states.")
    return Markdown("\n".join(lines))


def _cell(text: str) -> str:
    """Text for a Markdown table cell: a bar in it ("|gap|") would end the cell."""
    return text.replace("|", "\\|")
