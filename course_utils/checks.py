"""Self-checks for the exercises: each prints a verdict and returns True or False."""

from __future__ import annotations

import json
import os


def respond(ok: bool, message: str) -> bool:
    """Prints a self-check's answer, ✅ or ❌ before the message, and returns ``ok``."""
    print(("✅ " if ok else "❌ ") + message)
    return ok


def verdict_table(rows):
    """A claim → measurement → verdict table, rendered as Markdown in a notebook.

    When the environment variable ``COURSE_VERDICTS`` names a file, each row is also appended
    to it as a JSON line, so the course's tests can check the verdicts a notebook measured.

    Args:
        rows: ``(claim, measurement, holds)`` triples; ``holds`` is the measured verdict.
    """
    from IPython.display import Markdown

    rows = [(claim, measurement, bool(holds)) for claim, measurement, holds in rows]
    if os.environ.get("COURSE_VERDICTS"):
        with open(os.environ["COURSE_VERDICTS"], "a", encoding="utf-8") as record:
            for claim, measurement, holds in rows:
                record.write(json.dumps({"claim": claim, "measurement": measurement, "holds": holds}) + "\n")
    lines = ["| claim | measurement | verdict |", "|---|---|---|"]
    lines += [f"| {claim} | {measurement} | {'✅ holds' if holds else '❌ does not hold'} |"
              for claim, measurement, holds in rows]
    return Markdown("\n".join(lines))
