"""The instructor guide's timings and schedules, generated from the course runner's default-mode report.

``docs/instructor_guide.md`` is written by hand except the blocks between ``<!-- generated:NAME -->``
and ``<!-- /generated -->``, which ``python -m course_utils.guide`` rewrites from
``reports/default.json``. A test fails when the guide and the report disagree, so the guide never
quotes stale timings.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "reports" / "default.json"
GUIDE = ROOT / "docs" / "instructor_guide.md"
DISCUSSION_FACTOR = 1.5  # exercises and questions: a planning rule of thumb on top of the measured time
BREAK_EVERY, BREAK_MINUTES = 75, 10
BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n).*?(<!-- /generated -->)", re.S)


def _minutes(section: dict) -> float:
    return section["compute_seconds"] / 60 + section["reading_minutes"]


def planned_minutes(notebook: dict) -> int:
    """The time to plan for a notebook in a room: measured compute and reading, times the
    discussion factor, rounded up to 5 minutes."""
    measured = sum(_minutes(section) for section in notebook["sections"])
    return 5 * math.ceil(measured * DISCUSSION_FACTOR / 5)


def sections_table(notebook: dict) -> str:
    """One notebook's sections with their measured compute time and reading time."""
    lines = ["| section | compute (default mode) | reading | together |", "|---|---|---|---|"]
    for section in notebook["sections"]:
        lines.append(f"| {section['title']} | {section['compute_seconds']:.0f} s | "
                     f"{section['reading_minutes']:.0f} min | {_minutes(section):.0f} min |")
    total_compute = sum(section["compute_seconds"] for section in notebook["sections"])
    lines.append(f"| **all** | **{total_compute:.0f} s** (wall {notebook['seconds']:.0f} s, "
                 f"peak {notebook['peak_mb']:.0f} MB) | | **plan {planned_minutes(notebook)} min** |")
    return "\n".join(lines)


def schedule(notebooks: list[dict], minutes: int, start: str = "09:00") -> tuple[str, list[dict]]:
    """Notebooks in order, as many as fit into ``minutes``, with a break before a notebook that would
    take the time since the last break past ~75 minutes (never sooner than half of that); returns
    the table and the notebooks left out."""
    hour, minute = map(int, start.split(":"))
    clock, since_break, lines = hour * 60 + minute, 0, ["| time | what |", "|---|---|"]
    end, left_out = clock + minutes, []
    for notebook in notebooks:
        planned = planned_minutes(notebook)
        if left_out or clock + planned > end:
            left_out.append(notebook)
            continue
        due = since_break + planned > BREAK_EVERY and since_break >= BREAK_EVERY / 2
        if due and clock + BREAK_MINUTES + planned <= end:
            lines.append(f"| {clock // 60:02d}:{clock % 60:02d} | break ({BREAK_MINUTES} min) |")
            clock, since_break = clock + BREAK_MINUTES, 0
        lines.append(f"| {clock // 60:02d}:{clock % 60:02d} | {notebook['name']} ({planned} min) |")
        clock, since_break = clock + planned, since_break + planned
    lines.append(f"| {clock // 60:02d}:{clock % 60:02d} | end |")
    return "\n".join(lines), left_out


def _left_for_self_study(left_out: list[dict]) -> str:
    return f"\n\nLeft for self-study: {', '.join(notebook['name'] for notebook in left_out)}." if left_out else ""


def blocks(report: dict) -> dict[str, str]:
    """Every generated block of the guide, by name."""
    notebooks = report["notebooks"]
    about = report["machine"]
    generated = {"measured-on": (f"Measured with `python -m course_utils run --mode default --report reports` on "
                                 f"{about['date']}: Python {about['python']}, TensorFlow {about['tensorflow']}, "
                                 f"Keras {about['keras']}, {about['cpus']} CPU cores; 1-minute load average "
                                 f"{about['load_average_1min']} when the report was written.")}
    for notebook in notebooks:
        generated[notebook["name"].removesuffix(".ipynb")] = sections_table(notebook)
    half_day, left_out = schedule(notebooks, 180)
    generated["half-day"] = half_day + _left_for_self_study(left_out)
    morning, afternoon_notebooks = schedule(notebooks, 180, "09:00")
    afternoon, left_out = schedule(afternoon_notebooks, 180, "13:30")
    generated["full-day"] = morning + "\n\nLunch.\n\n" + afternoon + _left_for_self_study(left_out)
    return generated


def render(guide: str, report: dict) -> str:
    """The guide with each generated block rewritten from the report."""
    generated = blocks(report)

    def replace(match):
        return match.group(1) + generated.get(match.group("name"), "(not in the report)") + "\n" + match.group(3)

    return BLOCK.sub(replace, guide)


def main() -> int:
    report = json.loads(REPORT.read_text(encoding="utf-8"))
    GUIDE.write_text(render(GUIDE.read_text(encoding="utf-8"), report), encoding="utf-8")
    print(f"updated {GUIDE} from {REPORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
